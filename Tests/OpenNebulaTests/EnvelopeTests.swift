import ConPaaSCore
@testable import OpenNebula
import Testing

@Suite("Answer arrays of every version, decoded in one place")
struct EnvelopeTests {
    private func failure(_ answer: XMLRPCValue) -> OpenNebulaError? {
        do {
            _ = try OpenNebulaEnvelope.decode(answer, method: "one.vm.info")
            return nil
        } catch {
            return error
        }
    }

    @Test func successReturnsTheResult() throws {
        #expect(try OpenNebulaEnvelope.decode(.array([.bool(true), .string("<VM/>"), .int(0)]), method: "m") == .string("<VM/>"))
        #expect(try OpenNebulaEnvelope.decode(.array([.bool(true), .int(12), .int(0), .int(-1)]), method: "m") == .int(12))
    }

    @Test(arguments: [
        // 3.x - 5.2: [false, message, code]
        XMLRPCValue.array([.bool(false), .string("[VirtualMachineInfo] Error getting virtual machine [9]."), .int(0x400)]),
        // 5.4 - 5.8: resp_id appended
        .array([.bool(false), .string("[one.vm.info] Error getting virtual machine [9]."), .int(0x400), .int(9)]),
        // 5.10+: resp_id and an i8 appended
        .array([.bool(false), .string("[one.vm.info] Error getting virtual machine [9]."), .int(0x400), .int(9), .int(-1)]),
    ])
    func everyFailureShapeReadsTheFirstThreeElements(answer: XMLRPCValue) throws {
        let error = try #require(failure(answer))
        #expect(error.kind == .noExists)
        #expect(error.code == 0x400)
        #expect(error.message.hasSuffix("Error getting virtual machine [9]."))
        #expect(error.cloudError.code == .notFound)
    }

    @Test(arguments: [
        XMLRPCValue.string("not an array"), .array([]), .array([.int(1), .string("x"), .int(0)]),
        .array([.bool(false), .int(3), .int(0x100)]), .array([.bool(false), .string("no code")]),
        .array([.bool(false), .string("bad code"), .string("0x100")]),
    ])
    func malformedAnswersAreInvalidResponses(answer: XMLRPCValue) throws {
        let error = try #require(failure(answer))
        #expect(error.kind == .invalidResponse)
        #expect(error.cloudError.code == .invalidResponse)
    }

    @Test(arguments: [
        (0x100, CloudError.Code.authentication), (0x200, .refused), (0x400, .notFound), (0x800, .refused),
        (0x1000, .failed), (0x2000, .failed), (0x4000, .refused), (0x8000, .refused), (0x1234, .failed),
    ])
    func errorCodesMapToCloudErrors(code: Int, expected: CloudError.Code) {
        let error = OpenNebulaError(answerCode: code, message: "[one.vm.allocate] the real message")
        #expect(error.cloudError.code == expected)
        #expect(error.cloudError.message == "[one.vm.allocate] the real message")
    }

    @Test func xmlrpcFailuresAreClassified() {
        let refused = XMLRPCTransport.classify(faultCode: -504, message: "libcurl failed to execute the HTTP POST transaction, explaining: Failed to connect to 127.0.0.1 port 1")
        #expect(refused.kind == .transport)
        #expect(refused.cloudError.code == .unreachable)
        #expect(XMLRPCTransport.classify(faultCode: -504, message: "explaining: Operation timed out after 1000 milliseconds").kind == .timeout)
        #expect(XMLRPCTransport.classify(faultCode: -505, message: "timeout").kind == .timeout)
        let unknown = XMLRPCTransport.classify(faultCode: -506, message: "Method 'one.x.y' not defined")
        #expect(unknown.kind == .fault)
        #expect(unknown.cloudError.code == .invalidResponse)
        #expect(unknown.cloudError.message.contains("Method 'one.x.y' not defined"))
        #expect(XMLRPCTransport.classify(faultCode: -509, message: "too big").kind == .invalidResponse)
    }
}
