/// libFuzzer target for onesim's CONTEXT substitution: the `$VARIABLE`,
/// `$NAME[ATTR]` and `$NETWORK[ATTR, NETWORK_ID=0]` grammar read by
/// `ContextVariableLexer`, against a VM with a few attributes to find.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContextVariables(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? ContextSubstitution.substitute(text, in: ContextVariablesFuzz.source)
    _ = try? ContextSubstitution.substitute(["FUZZ": text, "HOSTNAME": "$NAME"], in: ContextVariablesFuzz.source)
    return 0
}

/// The VM references resolve against.
enum ContextVariablesFuzz {
    static let source = SubstitutionSource(
        name: "one-7", uid: 0, uname: "oneadmin",
        template: [
            .single(name: "MEMORY", value: "512"),
            .vector(name: "NIC", values: ["IP": "10.0.0.7", "NETWORK_ID": "0", "MAC": "02:00:0a:00:00:07"]),
            .vector(name: "DISK", values: ["IMAGE_ID": "3", "TARGET": "vda"]),
        ],
        userTemplate: [.single(name: "MANAGER_URL", value: "http://10.0.0.1:8080")],
        network: ["GATEWAY": "10.0.0.1", "DNS": "10.0.0.1", "NETWORK_MASK": "255.255.255.0"]
    )
}
