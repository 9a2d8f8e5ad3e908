/// The web UI's files, compiled into the binary so that one executable is the
/// whole manager: no asset directory to deploy or to get out of step with the
/// API it calls.
public enum WebAssets {
    public struct Asset: Sendable {
        public let bytes: [UInt8]
        public let contentType: String
        /// A strong validator: a hash of the bytes, so a new build's file is
        /// never taken for the old one in a browser's cache.
        public let etag: String

        init(_ bytes: [UInt8], _ contentType: String) {
            self.bytes = bytes
            self.contentType = contentType
            self.etag = "\"" + Self.fnv1a(bytes) + "\""
        }

        static func fnv1a(_ bytes: [UInt8]) -> String {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return String(hash, radix: 16)
        }
    }

    static let html = "text/html; charset=utf-8"
    static let js = "text/javascript; charset=utf-8"
    static let css = "text/css; charset=utf-8"

    /// The application's shell, served at `/`.
    public static let index = Asset(PackageResources.index_html, html)
    /// The password change page the CAS login page links to.
    public static let modifyPassword = Asset(PackageResources.modify_password_html, html)

    /// The files under `/ui/`, by name. Only these names are served.
    public static let files: [String: Asset] = [
        "app.css": Asset(PackageResources.app_css, css),
        "app.js": Asset(PackageResources.app_js, js),
        "api.js": Asset(PackageResources.api_js, js),
        "dom.js": Asset(PackageResources.dom_js, js),
        "dashboard.js": Asset(PackageResources.dashboard_js, js),
        "actions.js": Asset(PackageResources.actions_js, js),
        "placement.js": Asset(PackageResources.placement_js, js),
        "rolling.js": Asset(PackageResources.rolling_js, js),
        "configuration.js": Asset(PackageResources.configuration_js, js),
        "versions.js": Asset(PackageResources.versions_js, js),
        "commands.js": Asset(PackageResources.commands_js, js),
        "command.js": Asset(PackageResources.command_js, js),
        "password.js": Asset(PackageResources.password_js, js),
        "admin.js": Asset(PackageResources.admin_js, js),
        "favicon.svg": Asset(PackageResources.favicon_svg, "image/svg+xml"),
    ]
}
