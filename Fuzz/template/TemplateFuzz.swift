/// libFuzzer target for onesim's template reader: OpenNebula's template
/// grammar (`NAME = "value"`, `NAME = [ K = "v" ]`) and XML templates, as
/// `one.vm.allocate` and `one.template.allocate` receive them.
///
/// Beyond "no crash", every attribute read has a name, as the grammar demands.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let attributes = try? TemplateParser.parse(text) else { return 0 }
    for attribute in attributes where attribute.name.isEmpty && !text.hasPrefix("<") {
        fatalError("attribute without a name in \(text.debugDescription): \(attribute)")
    }
    return 0
}
