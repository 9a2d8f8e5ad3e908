import NIOCore
import StewardEngine

/// A table of secrets (sessions, tickets) that cannot grow without bound: at
/// most `perOwner` entries per owner and `total` in all, the least recently
/// used evicted first when a new one would pass either cap, so that a flood of
/// new sessions evicts the flood's own, not the ones in use. Not thread-safe:
/// SessionStore holds it under its lock.
struct BoundedTable<Value: Sendable>: Sendable {
    typealias Key = CredentialCache.Key
    struct Entry: Sendable {
        var value: Value
        let owner: String?
        /// When it was last inserted or touched: its place in `order`.
        var stamp: UInt64
    }

    private(set) var entries: [Key: Entry] = [:]
    /// Keys by last use, so the least recently used is found without a scan.
    /// A key touched again is appended anew; its earlier places (stale stamps),
    /// like those of removed keys, are skipped and compacted away.
    private var order = CircularBuffer<(key: Key, stamp: UInt64)>()
    private var clock: UInt64 = 0
    /// Each owner's keys, least recently used first (short: at most `perOwner`).
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
        while entries.count >= total, let oldest = order.popFirst() {
            if entries[oldest.key]?.stamp == oldest.stamp { remove(oldest.key) }
        }
        clock += 1
        entries[key] = Entry(value: value, owner: owner, stamp: clock)
        order.append((key, clock))
        if let owner { byOwner[owner, default: []].append(key) }
        if order.count > 2 * entries.count + 64 { compact() }
    }

    /// Marks an entry used now: it is evicted last.
    mutating func touch(_ key: Key) {
        guard let entry = entries[key] else { return }
        clock += 1
        entries[key]?.stamp = clock
        order.append((key, clock))
        if let owner = entry.owner, var keys = byOwner[owner] {
            keys.removeAll { $0 == key }
            keys.append(key)
            byOwner[owner] = keys
        }
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
        order = CircularBuffer(order.filter { live[$0.key]?.stamp == $0.stamp })
    }
}
