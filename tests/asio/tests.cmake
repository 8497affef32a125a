# weft::asio: real threads (context_test), the simulator (sim_test), and the programs
# compiled twice (programs/).
weft_add_test(asio_test SOURCES asio/context_test.cpp DEPS weft::asio)
weft_add_test(asio_sim_test SOURCES asio/sim_test.cpp DEPS weft::asio weft::model)
weft_add_test(asio_programs_test SOURCES asio/programs_test.cpp asio/programs_real.cpp asio/programs_weft.cpp
  DEPS weft::asio weft::model weft::sim)
