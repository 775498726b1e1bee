/// libFuzzer target for the OpenNebula driver's reader of `one.vm.info` and
/// `one.vmpool.info` answers (XMLScanner underneath): every
/// input is read both as a `<VM>` and as a `<VM_POOL>` document.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVMDocument(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let xml = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try VMDocument.parseVM(xml)
    } catch {
        _ = (error.cloudError, error.description)
    }
    _ = try? VMDocument.parsePool(xml)
    return 0
}
