/// What must happen after a command (htop's Htop_Reaction): the loop does each at most once per key.
struct Reaction: OptionSet, Sendable {
    let rawValue: UInt8
    /// Draw the screen again.
    static let redraw = Reaction(rawValue: 1)
    /// The filter changed: query the list and the statistics again.
    static let refilter = Reaction(rawValue: 2)
    /// Write the queued changes to the store, then draw: never draw "saved" before the commit.
    static let persist = Reaction(rawValue: 8)
    static let quit = Reaction(rawValue: 16)
    /// Run the export the prompt asked for (long: the loop shows its progress).
    static let export = Reaction(rawValue: 32)
    /// Hand the terminal to the user's editor for the edit the session asked for.
    static let external = Reaction(rawValue: 64)
}
