import JSONRPC

/// A failure the CLI reports as one line on stderr, ending with its own exit code.
struct CLIFailure: Error, CustomStringConvertible {
    /// The line shown after "conpaassql: ".
    let message: String
    /// The process exit code.
    let exitCode: Int32

    var description: String { message }

    /// The manager answered the call with an error (exit 1).
    static func refused(_ message: String) -> CLIFailure {
        let hint = message.hasPrefix("Unauthorized") ? " (give --token or set CONPAASSQL_TOKEN)" : ""
        return CLIFailure(message: message + hint, exitCode: 1)
    }

    /// No answer from the manager (exit 3).
    static func unreachable(_ message: String) -> CLIFailure {
        CLIFailure(message: message, exitCode: 3)
    }

    /// The job the command followed ended FAILED (exit 4).
    static func jobFailed(_ message: String) -> CLIFailure {
        CLIFailure(message: message, exitCode: 4)
    }

    /// The command cannot run as asked (exit 64, like ArgumentParser's own usage errors).
    static func usage(_ message: String) -> CLIFailure {
        CLIFailure(message: message, exitCode: 64)
    }

    /// The failure an error of the JSON-RPC client stands for.
    static func from(_ error: any Error) -> any Error {
        switch error {
        case let failure as CLIFailure: return failure
        case let refusal as RPCError: return refused(refusal.message)
        case let clientError as RPCClientError:
            return clientError.kind == .invalidRequest ? usage(clientError.message) : unreachable(clientError.message)
        default: return error
        }
    }
}
