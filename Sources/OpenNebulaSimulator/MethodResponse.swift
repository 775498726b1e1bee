/// An XML-RPC fault as xmlrpc-c's server layer sends it (not an OpenNebula answer array).
struct XMLRPCFault: Error, Sendable, Equatable {
    let code: Int
    let message: String

    /// -506: the method is not registered.
    static func unknownMethod(_ name: String) -> XMLRPCFault {
        XMLRPCFault(code: -506, message: "Method '\(name)' not defined")
    }

    /// -501: fewer parameters than the method reads.
    static let notEnoughParameters = XMLRPCFault(code: -501, message: "Not enough parameters")

    /// -501: a parameter of the wrong type (`integer`, `boolean`, `string`).
    static func wrongType(expected: String) -> XMLRPCFault {
        XMLRPCFault(code: -501, message: "Parameter that is supposed to be \(expected) is not")
    }

    /// -503: the body is not an XML-RPC call.
    static func unparseable(_ detail: String) -> XMLRPCFault {
        XMLRPCFault(code: -503, message: "Call XML not a proper XML-RPC call.  \(detail)")
    }
}

/// The `<methodResponse>` documents the simulator sends.
enum MethodResponse {
    /// A successful response holding `value`.
    static func success(_ value: RPCValue) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <methodResponse>
        <params>
        <param>\(value.xml)</param>
        </params>
        </methodResponse>

        """
    }

    /// A fault response.
    static func fault(_ fault: XMLRPCFault) -> String {
        let members = RPCValue.structure([("faultCode", .int(fault.code)), ("faultString", .string(fault.message))])
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <methodResponse>
            <fault>
            \(members.xml)
            </fault>
            </methodResponse>

            """
    }
}
