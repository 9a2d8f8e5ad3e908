import StewardAPI

/// The password rules the manager enforces (stated in openapi.yaml too).
extension PasswordChange {
    /// nil when acceptable; else why not.
    public static func policyProblem(user: String, old: String, new: String) -> String? {
        if new.count < 8 { return "The new password must have at least 8 characters." }
        if new.count > 128 { return "The new password must have at most 128 characters." }
        if new == old { return "The new password must differ from the old one." }
        if new.lowercased().contains(user.lowercased()) { return "The new password must not contain the user name." }
        let classes = [new.contains(where: \.isLowercase), new.contains(where: \.isUppercase),
                       new.contains(where: \.isNumber), new.contains(where: { !$0.isLetter && !$0.isNumber })]
        if classes.filter({ $0 }).count < 2 {
            return "The new password must mix at least two of: lower case, upper case, digits, other characters."
        }
        return nil
    }
}
