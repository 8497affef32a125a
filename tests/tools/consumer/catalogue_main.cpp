// The catalogue's scenarios (weft::scenarios, linked as objects so that their registrations
// stay) on the CLI that weft::main provides: no main() of our own.
namespace consumer {}
