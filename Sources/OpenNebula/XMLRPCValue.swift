/// An XML-RPC value, as sent to or received from an XML-RPC server.
///
/// Only the types OpenNebula uses are distinguished; `dateTime.iso8601` values
/// arrive as `.string` and `base64` values as `.bytes`.
public enum XMLRPCValue: Sendable, Hashable {
    /// `<int>`, `<i4>` or `<i8>`.
    case int(Int)
    /// `<boolean>`.
    case bool(Bool)
    /// `<double>`.
    case double(Double)
    /// `<string>` (or an untyped `<value>`, or a `<dateTime.iso8601>`).
    case string(String)
    /// `<base64>`.
    case bytes([UInt8])
    /// `<array>`.
    case array([XMLRPCValue])
    /// `<struct>`.
    case structure([String: XMLRPCValue])
    /// `<nil/>`.
    case `nil`

    /// The integer, for `<int>`, `<i4>` and `<i8>` values.
    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The boolean, for `<boolean>` values.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The text, for `<string>` values.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements, for `<array>` values.
    public var arrayValue: [XMLRPCValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// A short description of the value's type, for error messages.
    var typeName: String {
        switch self {
        case .int: "int"
        case .bool: "boolean"
        case .double: "double"
        case .string: "string"
        case .bytes: "base64"
        case .array: "array"
        case .structure: "struct"
        case .nil: "nil"
        }
    }
}
