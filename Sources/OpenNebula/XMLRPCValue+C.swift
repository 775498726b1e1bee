import CXMLRPC
import Glibc

/// Conversions between ``XMLRPCValue`` and xmlrpc-c's reference-counted
/// `xmlrpc_value`, built with the non-variadic constructors only, through the
/// functions `cxmlrpc_load` loaded.
extension XMLRPCValue {
    /// A new xmlrpc-c value (reference count 1; the caller releases it with `DECREF`).
    func makeC(_ xmlrpc: cxmlrpc_functions, _ env: inout xmlrpc_env) throws(OpenNebulaError) -> OpaquePointer {
        let made: OpaquePointer?
        switch self {
        case .int(let value):
            made = Int32(exactly: value).map { xmlrpc.int_new(&env, $0) } ?? xmlrpc.i8_new(&env, Int64(value))
        case .bool(let value):
            made = xmlrpc.bool_new(&env, value ? 1 : 0)
        case .double(let value):
            made = xmlrpc.double_new(&env, value)
        case .string(let value):
            let bytes = Array(value.utf8)
            made = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { xmlrpc.string_new_lp(&env, $0.count, $0.baseAddress) }
            }
        case .bytes(let value):
            made = value.withUnsafeBufferPointer { xmlrpc.base64_new(&env, $0.count, $0.baseAddress) }
        case .array(let elements):
            made = try Self.makeArray(elements, xmlrpc, &env)
        case .structure(let members):
            made = try Self.makeStructure(members, xmlrpc, &env)
        case .nil:
            made = xmlrpc.nil_new(&env)
        }
        try Self.check(&env, "building a \(typeName) parameter")
        guard let made else { throw OpenNebulaError(.invalidResponse, message: "xmlrpc-c could not build a \(typeName)") }
        return made
    }

    private static func makeArray(_ elements: [XMLRPCValue], _ xmlrpc: cxmlrpc_functions, _ env: inout xmlrpc_env) throws(OpenNebulaError) -> OpaquePointer? {
        let array = xmlrpc.array_new(&env)
        try check(&env, "building an array")
        for element in elements {
            let item: OpaquePointer
            do { item = try element.makeC(xmlrpc, &env) } catch { xmlrpc.DECREF(array); throw error }
            xmlrpc.array_append_item(&env, array, item)
            xmlrpc.DECREF(item)
        }
        return array
    }

    private static func makeStructure(_ members: [String: XMLRPCValue], _ xmlrpc: cxmlrpc_functions, _ env: inout xmlrpc_env) throws(OpenNebulaError) -> OpaquePointer? {
        let structure = xmlrpc.struct_new(&env)
        try check(&env, "building a struct")
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
            let item: OpaquePointer
            do { item = try member.makeC(xmlrpc, &env) } catch { xmlrpc.DECREF(structure); throw error }
            xmlrpc.struct_set_value(&env, structure, key, item)
            xmlrpc.DECREF(item)
        }
        return structure
    }

    /// Reads an xmlrpc-c value (the caller keeps its reference).
    init(reading value: OpaquePointer, _ xmlrpc: cxmlrpc_functions, _ env: inout xmlrpc_env) throws(OpenNebulaError) {
        switch xmlrpc.value_type(value) {
        case XMLRPC_TYPE_INT:
            var number: Int32 = 0
            xmlrpc.read_int(&env, value, &number)
            self = .int(Int(number))
        case XMLRPC_TYPE_I8:
            var number: Int64 = 0
            xmlrpc.read_i8(&env, value, &number)
            self = .int(Int(number))
        case XMLRPC_TYPE_BOOL:
            var flag: xmlrpc_bool = 0
            xmlrpc.read_bool(&env, value, &flag)
            self = .bool(flag != 0)
        case XMLRPC_TYPE_DOUBLE:
            var number = 0.0
            xmlrpc.read_double(&env, value, &number)
            self = .double(number)
        case XMLRPC_TYPE_STRING:
            var length = 0
            var text: UnsafePointer<CChar>?
            xmlrpc.read_string_lp(&env, value, &length, &text)
            self = .string(Self.takeText(text, length))
        case XMLRPC_TYPE_DATETIME:
            var text: UnsafePointer<CChar>?
            xmlrpc.read_datetime_str(&env, value, &text)
            self = .string(Self.takeText(text, text.map { strlen($0) } ?? 0))
        case XMLRPC_TYPE_BASE64:
            var length = 0
            var bytes: UnsafePointer<UInt8>?
            xmlrpc.read_base64(&env, value, &length, &bytes)
            self = .bytes(bytes.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? [])
            free(UnsafeMutableRawPointer(mutating: bytes))
        case XMLRPC_TYPE_ARRAY:
            self = .array(try Self.readArray(value, xmlrpc, &env))
        case XMLRPC_TYPE_STRUCT:
            self = .structure(try Self.readStructure(value, xmlrpc, &env))
        case XMLRPC_TYPE_NIL:
            self = .nil
        default:
            throw OpenNebulaError(.invalidResponse, message: "the answer holds a value of unknown XML-RPC type")
        }
        try Self.check(&env, "reading the answer")
    }

    private static func readArray(_ array: OpaquePointer, _ xmlrpc: cxmlrpc_functions, _ env: inout xmlrpc_env) throws(OpenNebulaError) -> [XMLRPCValue] {
        let count = xmlrpc.array_size(&env, array)
        try check(&env, "reading an array")
        var elements: [XMLRPCValue] = []
        for index in 0..<max(0, count) {
            var item: OpaquePointer?
            xmlrpc.array_read_item(&env, array, UInt32(index), &item)
            try check(&env, "reading array element \(index)")
            guard let item else { continue }
            defer { xmlrpc.DECREF(item) }
            elements.append(try XMLRPCValue(reading: item, xmlrpc, &env))
        }
        return elements
    }

    private static func readStructure(_ structure: OpaquePointer, _ xmlrpc: cxmlrpc_functions, _ env: inout xmlrpc_env) throws(OpenNebulaError) -> [String: XMLRPCValue] {
        let count = xmlrpc.struct_size(&env, structure)
        try check(&env, "reading a struct")
        var members: [String: XMLRPCValue] = [:]
        for index in 0..<max(0, count) {
            var key: OpaquePointer?
            var member: OpaquePointer?
            xmlrpc.struct_read_member(&env, structure, UInt32(index), &key, &member)
            try check(&env, "reading struct member \(index)")
            defer { key.map(xmlrpc.DECREF); member.map(xmlrpc.DECREF) }
            guard let key, let member, case .string(let name) = try XMLRPCValue(reading: key, xmlrpc, &env) else { continue }
            members[name] = try XMLRPCValue(reading: member, xmlrpc, &env)
        }
        return members
    }

    /// Copies and frees a string xmlrpc-c allocated for the caller.
    private static func takeText(_ text: UnsafePointer<CChar>?, _ length: Int) -> String {
        guard let text else { return "" }
        defer { free(UnsafeMutableRawPointer(mutating: text)) }
        return text.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    /// Throws the fault recorded in `env`, if any.
    static func check(_ env: inout xmlrpc_env, _ doing: String) throws(OpenNebulaError) {
        guard env.fault_occurred != 0 else { return }
        let message = env.fault_string.map { String(cString: $0) } ?? "unknown error"
        throw OpenNebulaError(.invalidResponse, code: Int(env.fault_code), message: "\(doing): \(message)")
    }
}
