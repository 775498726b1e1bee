/// An OpenNebula user onesim accepts sessions from.
public struct SimulatedUser: Sendable, Hashable {
    public let id: Int
    public let name: String
    public let password: String

    /// A user; ids follow the order of the users file.
    public init(id: Int, name: String, password: String) {
        self.id = id
        self.name = name
        self.password = password
    }

    /// The default: `oneadmin:opennebula`, id 0.
    public static let defaults = [SimulatedUser(id: 0, name: "oneadmin", password: "opennebula")]

    /// A users file: one `name:password` per line (the password may hold
    /// colons); blank lines and lines starting with `#` are skipped. The first
    /// user gets id 0 and sees every VM, like oneadmin.
    public static func parse(_ text: String) throws(UsersFileError) -> [SimulatedUser] {
        var users: [SimulatedUser] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let entry = line.trimmingPrefix(while: \.isWhitespace)
            if entry.isEmpty || entry.hasPrefix("#") { continue }
            guard let colon = entry.firstIndex(of: ":"), colon != entry.startIndex else {
                throw UsersFileError(line: number + 1, reason: "expected name:password")
            }
            let name = String(entry[..<colon])
            guard !users.contains(where: { $0.name == name }) else {
                throw UsersFileError(line: number + 1, reason: "user \(name) given twice")
            }
            users.append(SimulatedUser(id: users.count, name: name, password: String(entry[entry.index(after: colon)...])))
        }
        guard !users.isEmpty else { throw UsersFileError(line: 0, reason: "no users") }
        return users
    }

    /// The user a `name:password` session belongs to, if the password matches.
    static func authenticate(_ session: String, among users: [SimulatedUser]) -> SimulatedUser? {
        guard let colon = session.firstIndex(of: ":") else { return nil }
        let name = session[..<colon]
        let password = session[session.index(after: colon)...]
        return users.first { $0.name == name && $0.password == password }
    }
}

/// A users file onesim cannot read.
public struct UsersFileError: Error, Sendable, CustomStringConvertible {
    public let line: Int
    public let reason: String

    public var description: String { "users file, line \(line): \(reason)" }
}
