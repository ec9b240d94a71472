// A fixed list of I/Os the loop issues in order instead of generating them: the verify
// phase's reads of written blocks, or a read_iolog replay with its delays.

public final class IOScript {
    public let entries: [ScriptedIO]
    /// Entries wait for their delays (a replay without replay_no_stall).
    public let timed: Bool
    public init(_ entries: [ScriptedIO], timed: Bool) { self.entries = entries; self.timed = timed }
}
