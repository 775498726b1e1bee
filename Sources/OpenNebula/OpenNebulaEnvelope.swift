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
