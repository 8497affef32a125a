// weft::main: link it with your own scenarios (registered with weft::scenarios::Register)
// to get the same CLI, the way Catch2 provides a main.
#include "cli.hpp"

int main(int argc, char** argv) { return weft::cli::main(argc, argv); }
