import ConPaaSCore

/// A failed OpenNebula call: an error answer (`[false, message, code]`), an
/// XML-RPC fault, a timeout, a transport failure or an answer that could not
/// be understood.
public struct OpenNebulaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// 0x100: the session was refused.
        public static let authentication = Kind("AUTHENTICATION")
        /// 0x200: the user may not do this (quotas are reported this way too).
        public static let authorization = Kind("AUTHORIZATION")
        /// 0x400: no such object.
        public static let noExists = Kind("NO_EXISTS")
        /// 0x800: the action is not allowed now (wrong state, unknown action).
        public static let action = Kind("ACTION")
        /// 0x1000: wrong parameters for the API.
        public static let xmlRPCAPI = Kind("XML_RPC_API")
        /// 0x2000: the server failed (template parse errors are reported this way).
        public static let `internal` = Kind("INTERNAL")
        /// 0x4000: the object could not be created.
        public static let allocate = Kind("ALLOCATE")
        /// 0x8000: the object is locked.
        public static let locked = Kind("LOCKED")
        /// An error code this client does not know.
        public static let unknownCode = Kind("unknown error code")
        /// An XML-RPC fault (unknown method, wrong parameter types, unparseable call).
        public static let fault = Kind("XML-RPC fault")
        /// No answer within the configured time.
        public static let timeout = Kind("timeout")
        /// The server could not be reached, or HTTP failed.
        public static let transport = Kind("transport failure")
        /// The answer was not an OpenNebula answer (not an array, garbage XML, too big).
        public static let invalidResponse = Kind("invalid response")

        /// OpenNebula's name for the code, or the failure's kind.
        /// The kind, the code and the message.
    public var description: String { name }
    }

    /// What went wrong.
    public let kind: Kind
    /// OpenNebula's error code (0x100...) for error answers, the fault code for
    /// XML-RPC faults, xmlrpc-c's error code for local failures, 0 otherwise.
    public let code: Int
    /// The server's (or the transport's) own message.
    public let message: String

    /// An error of the given kind.
    public init(_ kind: Kind, code: Int = 0, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    /// The error an OpenNebula error answer with `code` stands for.
    public init(answerCode code: Int, message: String) {
        let kinds: [Int: Kind] = [
            0x100: .authentication, 0x200: .authorization, 0x400: .noExists, 0x800: .action,
            0x1000: .xmlRPCAPI, 0x2000: .internal, 0x4000: .allocate, 0x8000: .locked,
        ]
        self.init(kinds[code] ?? .unknownCode, code: code, message: message)
    }

    public var description: String {
        switch kind {
        case .fault: "OpenNebula XML-RPC fault \(code): \(message)"
        case .timeout, .transport, .invalidResponse: "OpenNebula \(kind): \(message)"
        default: "OpenNebula \(kind) (0x\(String(code, radix: 16))): \(message)"
        }
    }

    /// The cloud error the manager sees, with OpenNebula's message.
    public var cloudError: CloudError {
        switch kind {
        case .authentication: CloudError(.authentication, message)
        case .authorization, .allocate, .action, .locked: CloudError(.refused, message)
        case .noExists: CloudError(.notFound, message)
        case .fault, .invalidResponse: CloudError(.invalidResponse, description)
        case .timeout, .transport: CloudError(.unreachable, message)
        default: CloudError(.failed, message)
        }
    }
}

/// The one place that reads OpenNebula's answer array.
///
/// Every `one.*` call answers an array: `[true, result, 0]` on success and
/// `[false, message, code]` on failure. Versions 5.4-5.8 append the id of the
/// object the error is about, 5.10+ also an `<i8>`; only the first three
/// elements are read, so every version's shape decodes the same way.
public enum OpenNebulaEnvelope {
    /// The result of a successful call, or the error the answer stands for.
    public static func decode(_ answer: XMLRPCValue, method: String) throws(OpenNebulaError) -> XMLRPCValue {
        guard let elements = answer.arrayValue else {
            throw invalid("\(method) answered a \(answer.typeName), not an array")
        }
        guard elements.count >= 2, let succeeded = elements[0].boolValue else {
            throw invalid("\(method) answered an array that does not start with a boolean and a result")
        }
        if succeeded { return elements[1] }
        guard let message = elements[1].stringValue else {
            throw invalid("\(method) failed with a \(elements[1].typeName) instead of a message")
        }
        guard elements.count >= 3, let code = elements[2].intValue else {
            throw invalid("\(method) failed without an error code: \(message)")
        }
        throw OpenNebulaError(answerCode: code, message: message)
    }

    /// The integer result of a successful call (object ids).
    public static func int(_ result: XMLRPCValue, method: String) throws(OpenNebulaError) -> Int {
        guard let value = result.intValue else {
            throw invalid("\(method) returned a \(result.typeName) where an integer was expected")
        }
        return value
    }

    /// The string result of a successful call (XML documents, versions).
    public static func string(_ result: XMLRPCValue, method: String) throws(OpenNebulaError) -> String {
        guard let value = result.stringValue else {
            throw invalid("\(method) returned a \(result.typeName) where a string was expected")
        }
        return value
    }

    private static func invalid(_ message: String) -> OpenNebulaError {
        OpenNebulaError(.invalidResponse, message: message)
    }
}
