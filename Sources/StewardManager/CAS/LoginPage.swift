import Crypto
import Foundation

/// The CAS login page. Its shape is part of the contract: clients parse the
/// `lt` line by splitting it on double quotes and taking the sixth piece, and
/// look for the two sentences below to tell a wrong password and a required
/// password change.
enum LoginPage {
    static let wrongCredentials = "The credentials you provided cannot be determined to be authentic."
    static let changePasswordPage = "/web/modify_password.html"

    /// The page's one style sheet, inline so that the page stands alone; the
    /// policy allows exactly it, by its digest, and nothing else inline.
    static let style = "body{font:15px system-ui,sans-serif;background:#f4f5f7;display:flex;justify-content:center;padding-top:12vh}"
        + "form{background:#fff;padding:28px 32px;border-radius:8px;box-shadow:0 1px 4px #0002;width:300px}"
        + "h1{font-size:20px;margin:0 0 18px}label{display:block;margin:10px 0 4px}"
        + "input[type=text],input[type=password]{width:100%;padding:8px;box-sizing:border-box}"
        + ".error{color:#b3261e;margin:0 0 12px}input[type=submit]{margin-top:18px;padding:8px 18px}"

    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; "
        + "style-src 'self' 'sha256-\(Data(SHA256.hash(data: Data(style.utf8))).base64EncodedString())'; img-src 'self'; "
        + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    static func form(loginTicket: String, service: String?, message: String?) -> String {
        let action = "/cas/login" + (service.map { "?service=" + escape(percentEncode($0)) } ?? "")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Steward - Log in</title><link rel="icon" href="/ui/favicon.svg" type="image/svg+xml">
            <style>\(style)</style></head>
            <body>
            <form method="post" action="\(action)">
            <h1>Steward</h1>
            \(message.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>" } ?? "")
            <label for="username">User name</label>
            <input type="text" id="username" name="username" autocomplete="username" autofocus required />
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required />
            <input type="hidden" name="lt" value="\(loginTicket)" />
            <input type="hidden" name="_eventId" value="submit" />
            <input type="submit" name="submit" value="Login" />
            </form>
            </body>
            </html>
            """
    }

    static func message(_ title: String, _ text: String, link: (href: String, label: String)? = nil) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Steward - \(escape(title))</title><link rel="icon" href="/ui/favicon.svg" type="image/svg+xml"></head>
        <body><h1>\(escape(title))</h1><p>\(escape(text))</p>
        \(link.map { "<p><a href=\"\(escape($0.href))\">\(escape($0.label))</a></p>" } ?? "")
        </body></html>
        """
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func percentEncode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? ""
    }
}

import Foundation

extension CharacterSet {
    static let urlQueryValueAllowed: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.remove(charactersIn: "&=+?#")
        return set
    }()
}
