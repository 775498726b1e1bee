/// Random secrets from the system's generator, in letters and digits only
/// (safe in option files, context.sh, URLs and SQL without quoting surprises),
/// for the manager's service secret and the agents' passwords.
public enum RandomSecret {
    private static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")

    /// A secret of `length` characters (about 5.8 bits each).
    public static func make(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
