import Foundation

/// Reads a password without it ever being an argument.
enum PasswordPrompt {
    /// Asks twice on the terminal with echo off; the answers must match.
    static func ask(for user: String) throws -> String {
        guard isatty(STDIN_FILENO) != 0 else {
            throw CLIFailure.usage("no terminal to ask for the password: pipe it with --password-stdin")
        }
        let password = try silentLine(prompt: "Password for \(user): ")
        guard !password.isEmpty else { throw CLIFailure.usage("empty password") }
        guard try silentLine(prompt: "Again: ") == password else { throw CLIFailure.usage("the passwords differ") }
        return password
    }

    /// The first line of stdin, without its line ending.
    static func fromStandardInput() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CLIFailure.usage("no password on stdin")
        }
        return line.hasSuffix("\r") ? String(line.dropLast()) : line
    }

    /// One line typed with echo off; Ctrl-C turns echo back on before exiting.
    private static func silentLine(prompt: String) throws -> String {
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { throw CLIFailure.usage("cannot turn off echo on this terminal") }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        signal(SIGINT) { _ in
            var attributes = termios()
            tcgetattr(STDIN_FILENO, &attributes)
            attributes.c_lflag |= tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &attributes)
            _exit(130)
        }
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            signal(SIGINT, SIG_DFL)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        FileHandle.standardError.write(Data(prompt.utf8))
        guard let line = readLine(strippingNewline: true) else { throw CLIFailure.usage("no password given") }
        return line
    }
}
