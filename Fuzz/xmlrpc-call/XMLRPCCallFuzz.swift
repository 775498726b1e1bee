/// libFuzzer target for onesim's `<methodCall>` reader (FoundationXML's
/// XMLParser underneath).
///
/// Beyond "no crash", a call that reads must read again, unchanged, once its
/// params are written back as the simulator writes values in its answers.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXMLRPCCall(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let call = try? MethodCallParser.parse(bytes) else { return 0 }
    let written = XMLRPCCallFuzz.document(call)
    let reread: MethodCall
    do {
        reread = try MethodCallParser.parse(Array(written.utf8))
    } catch {
        fatalError("written call does not read: \(error.detail)\n\(written)")
    }
    guard XMLRPCCallFuzz.document(reread) == written else {
        fatalError("call changed when written and read again:\n\(written)\n\(XMLRPCCallFuzz.document(reread))")
    }
    return 0
}

/// Writing a parsed call back as XML.
enum XMLRPCCallFuzz {
    static func document(_ call: MethodCall) -> String {
        let params = call.params.map { "<param>\($0.xml)</param>" }.joined()
        return "<methodCall><methodName>\(XMLText.escaped(call.name))</methodName><params>\(params)</params></methodCall>"
    }
}
