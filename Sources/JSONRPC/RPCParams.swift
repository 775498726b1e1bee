/// A file received in an UPLOAD call, already streamed to disk.
///
/// The file is deleted once the handler returns; a handler that wants to keep
/// it moves or copies it first.
public struct UploadedFile: Sendable, Equatable {
    /// The form field the file came in.
    public let field: String
    /// The file name the client gave, if any; never used to build `path`.
    public let filename: String?
    /// Where the bytes are on disk.
    public let path: String
    /// How many bytes were received.
    public let size: Int64

    /// Describes a received file.
    public init(field: String, filename: String?, path: String, size: Int64) {
        self.field = field
        self.filename = filename
        self.path = path
        self.size = size
    }
}

/// The params of one call, with typed accessors that throw the PROTOCOL.md messages.
///
/// GET query params and UPLOAD form fields arrive as strings, so the integer
/// and boolean accessors also accept their text forms.
public struct RPCParams: Sendable {
    /// The params by name.
    public let values: [String: JSONValue]
    /// The files of an UPLOAD call, by form field.
    public let files: [String: UploadedFile]

    /// Params from values and files.
    public init(_ values: [String: JSONValue] = [:], files: [String: UploadedFile] = [:]) {
        self.values = values
        self.files = files
    }

    /// The string param `name`; throws `missingArgument` or `invalidArgument`.
    public func string(_ name: String) throws(RPCError) -> String {
        guard let value = try optionalString(name) else { throw .missingArgument(name) }
        return value
    }

    /// The string param `name`, or nil when absent or null.
    public func optionalString(_ name: String) throws(RPCError) -> String? {
        guard let value = present(name) else { return nil }
        guard let text = value.stringValue else { throw .invalidArgument(name, detail: "expected a string") }
        return text
    }

    /// The integer param `name`: a JSON integer, or a string of decimal digits.
    public func int(_ name: String) throws(RPCError) -> Int {
        guard let value = try optionalInt(name) else { throw .missingArgument(name) }
        return value
    }

    /// The integer param `name`, or nil when absent or null.
    public func optionalInt(_ name: String) throws(RPCError) -> Int? {
        guard let value = present(name) else { return nil }
        if let number = value.intValue { return number }
        if let text = value.stringValue, let number = Self.decimalInteger(text) { return number }
        throw .invalidArgument(name, detail: "expected an integer")
    }

    /// The boolean param `name`: a JSON boolean, or "true", "false", "1", "0".
    public func bool(_ name: String) throws(RPCError) -> Bool {
        guard let value = try optionalBool(name) else { throw .missingArgument(name) }
        return value
    }

    /// The boolean param `name`, or nil when absent or null.
    public func optionalBool(_ name: String) throws(RPCError) -> Bool? {
        guard let value = present(name) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string("true"), .string("1"): return true
        case .string("false"), .string("0"): return false
        default: throw .invalidArgument(name, detail: "expected a boolean")
        }
    }

    /// The object param `name`; throws `missingArgument` or `invalidArgument`.
    public func object(_ name: String) throws(RPCError) -> [String: JSONValue] {
        guard let value = present(name) else { throw .missingArgument(name) }
        guard let members = value.objectValue else { throw .invalidArgument(name, detail: "expected an object") }
        return members
    }

    /// The file sent in form field `name`; throws `missingArgument` when there is none.
    public func file(_ name: String) throws(RPCError) -> UploadedFile {
        guard let file = files[name] else { throw .missingArgument(name) }
        return file
    }

    /// Throws `unexpectedArguments` naming every param or file not in `allowed`.
    public func expectOnly(_ allowed: Set<String>) throws(RPCError) {
        let unexpected = Set(values.keys).union(files.keys).subtracting(allowed)
        guard unexpected.isEmpty else { throw .unexpectedArguments(Array(unexpected)) }
    }

    private func present(_ name: String) -> JSONValue? {
        guard let value = values[name], value != .null else { return nil }
        return value
    }

    /// Parses optional "-" then ASCII digits only (no "+", spaces or other numerals).
    private static func decimalInteger(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }
}
