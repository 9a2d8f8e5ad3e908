import NIOCore
import StewardEngine

/// A table of secrets (sessions, tickets) that cannot grow without bound: at
/// most `perOwner` entries per owner and `total` in all, the oldest evicted
/// first when a new one would pass either cap. Not thread-safe: SessionStore
/// holds it under its lock.
struct BoundedTable<Value: Sendable>: Sendable {
    typealias Key = CredentialCache.Key
    struct Entry: Sendable {
        var value: Value
        let owner: String?
    }

    private(set) var entries: [Key: Entry] = [:]
    /// Keys in insertion order, so the oldest is found without a scan. It may
    /// still hold keys removed since; they are skipped and compacted away.
    private var order = CircularBuffer<Key>()
    /// Each owner's keys, oldest first (short: at most `perOwner`).
    private var byOwner: [String: [Key]] = [:]
    let perOwner: Int
    let total: Int

    init(perOwner: Int, total: Int) {
        self.perOwner = max(1, perOwner)
        self.total = max(1, total)
    }

    var count: Int { entries.count }

    subscript(key: Key) -> Value? {
        get { entries[key]?.value }
        set {
            guard let newValue else { remove(key); return }
            entries[key]?.value = newValue
        }
    }

    /// Adds an entry (owner nil: counted in the total only), evicting the oldest first if a cap is reached.
    mutating func insert(_ key: Key, _ value: Value, owner: String?) {
        if let owner, let keys = byOwner[owner], keys.count >= perOwner {
            for old in keys.prefix(keys.count - perOwner + 1) { remove(old) }
        }
        while entries.count >= total, let oldest = order.popFirst() { remove(oldest) }
        entries[key] = Entry(value: value, owner: owner)
        order.append(key)
        if let owner { byOwner[owner, default: []].append(key) }
        if order.count > 2 * entries.count + 64 { compact() }
    }

    @discardableResult
    mutating func remove(_ key: Key) -> Value? {
        guard let entry = entries.removeValue(forKey: key) else { return nil }
        if let owner = entry.owner {
            byOwner[owner]?.removeAll { $0 == key }
            if byOwner[owner]?.isEmpty == true { byOwner[owner] = nil }
        }
        return entry.value
    }

    /// Removes every entry `match` selects; returns how many.
    @discardableResult
    mutating func removeAll(where match: (Value) -> Bool) -> Int {
        let doomed = entries.filter { match($0.value.value) }.map(\.key)
        for key in doomed { remove(key) }
        if !doomed.isEmpty { compact() }
        return doomed.count
    }

    private mutating func compact() {
        let live = entries
        order = CircularBuffer(order.filter { live[$0] != nil })
    }
}
