import JSONRPC
import Testing

@Suite("RPCParams")
struct RPCParamsTests {
    let params = RPCParams([
        "name": "db1", "count": 3, "countText": "12", "negative": "-4", "flag": true, "flagText": "0",
        "state": ["id": 1], "nothing": nil, "float": 2.5, "spaced": " 7",
    ])

    @Test("typed accessors read JSON values and the string forms GET and UPLOAD send")
    func typedAccessors() throws {
        #expect(try params.string("name") == "db1")
        #expect(try params.int("count") == 3)
        #expect(try params.int("countText") == 12)
        #expect(try params.int("negative") == -4)
        #expect(try params.bool("flag") == true)
        #expect(try params.bool("flagText") == false)
        #expect(try params.object("state") == ["id": 1])
        #expect(try params.optionalString("absent") == nil)
        #expect(try params.optionalInt("nothing") == nil)
        #expect(try params.optionalBool("absent") == nil)
    }

    @Test("missing params throw the ConPaaS message")
    func missing() {
        #expect(throws: RPCError.missingArgument("absent")) { try params.string("absent") }
        #expect(throws: RPCError.missingArgument("nothing")) { try params.int("nothing") }
        #expect(throws: RPCError.missingArgument("mysqldump")) { try params.file("mysqldump") }
        #expect(RPCError.missingArgument("absent").message == "Missing argument: absent")
        #expect(RPCError.missingArgument("absent").code == -32602)
    }

    @Test("wrong types throw Invalid argument with a DETAIL")
    func wrongTypes() {
        #expect(throws: RPCError(message: "Invalid argument: count DETAIL:expected a string", code: -32602)) {
            try params.string("count")
        }
        #expect(throws: RPCError.invalidArgument("float", detail: "expected an integer")) { try params.int("float") }
        #expect(throws: RPCError.invalidArgument("spaced", detail: "expected an integer")) { try params.int("spaced") }
        #expect(throws: RPCError.invalidArgument("name", detail: "expected a boolean")) { try params.bool("name") }
        #expect(throws: RPCError.invalidArgument("name", detail: "expected an object")) { try params.object("name") }
    }

    @Test("expectOnly names every unexpected param and file, sorted")
    func expectOnly() throws {
        let file = UploadedFile(field: "dump", filename: "a.sql", path: "/tmp/x", size: 1)
        let call = RPCParams(["user": "u", "zeta": 1, "alpha": 2], files: ["dump": file])
        try call.expectOnly(["user", "zeta", "alpha", "dump"])
        #expect(throws: RPCError(message: "Unexpected arguments [alpha, dump, zeta]", code: -32602)) {
            try call.expectOnly(["user"])
        }
        #expect(try call.file("dump") == file)
    }

    @Test("RPCError factories keep the original wording and codes")
    func errorWording() {
        #expect(RPCError.wrongState.message == "Service in wrong state")
        #expect(RPCError.wrongState.code == -32001)
        #expect(RPCError.unknown.message == "Unknown error.")
        #expect(RPCError.unknown.code == -32603)
        #expect(RPCError.failed("disk full") == RPCError(message: "disk full", code: -32000))
        #expect(RPCError.methodNotFound.description == "method not found")
        #expect(RPCError.methodNotFound.code == -32601)
        #expect(RPCError.unauthorized.message == "Unauthorized: missing or invalid token")
        #expect(RPCError.invalidArgument("id", detail: "no such node").message == "Invalid argument: id DETAIL:no such node")
    }

    @Test("the method table lists names sorted and knows each kind")
    func methodTable() {
        let methods = testMethods()
        #expect(methods.names == ["add", "echo", "explode", "list_nodes", "refuse", "reject_dump", "send_mysqldump"])
        #expect(methods.kind(of: "list_nodes") == .get)
        #expect(methods.kind(of: "send_mysqldump") == .upload)
        #expect(methods.kind(of: "nope") == nil)
    }
}
