import Foundation

/// Why a text is not JSON, in the words of Foundation's reader.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong (with the character where reading stopped, when known).
    public let reason: String

    public var description: String { reason }
}

extension JSONValue {
    /// Parses JSON text (RFC 8259). Integers that fit in `Int` become `.int`, other numbers `.double`.
    public init(parsing text: String) throws(JSONParseError) {
        self = try JSONValue(parsing: Array(text.utf8))
    }

    /// Parses JSON from UTF-8 bytes with Foundation's `JSONSerialization`, which
    /// refuses invalid UTF-8, lone surrogates, numbers out of `Double`'s range and
    /// nesting deeper than 512. A repeated member name keeps its last value.
    public init(parsing utf8: [UInt8]) throws(JSONParseError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(utf8), options: [.fragmentsAllowed])
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw JSONParseError(reason: reason ?? "not JSON")
        }
        self = JSONValue(foundationObject: object)
    }

    /// The value of what `JSONSerialization` read: NSNumber's type tells booleans,
    /// integers and doubles apart, as the text did.
    private init(foundationObject object: Any) {
        switch object {
        case let string as String:
            self = .string(string)
        case let array as [Any]:
            self = .array(array.map(JSONValue.init(foundationObject:)))
        case let members as [String: Any]:
            self = .object(members.mapValues(JSONValue.init(foundationObject:)))
        case let number as NSDecimalNumber:
            // Integers beyond 64 bits, Int.min and numbers with many digits come as
            // decimals. A decimal no longer tells 1.0 from 1, so only Int.min (the one
            // that fits) becomes an integer; `doubleValue` rounds wrongly
            // (1.8443372036854776e+19 became 1.844337203685478e+19): the digits are read again.
            let digits = number.stringValue
            self = digits == String(Int.min) ? .int(.min) : .double(Double(digits) ?? number.doubleValue)
        case let number as NSNumber:
            switch String(cString: number.objCType) {
            case "c": self = .bool(number.boolValue)
            case "d", "f": self = .double(number.doubleValue)
            case "Q": self = Int(exactly: number.uint64Value).map(JSONValue.int) ?? .double(number.doubleValue)
            default: self = .int(Int(number.int64Value))
            }
        default:
            self = .null
        }
    }
}
