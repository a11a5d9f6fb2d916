# Runs one co-simulation and passes only if it exits with EXIT and its output matches PATTERN:
# the exit code is checked, not only the text (a timeout is 3, a mismatch 1, bad input 2).
#   cmake -DSIM=<sim> -DTEST=<test> -DVECTORS=<dir> -DOUT=<dir> -DEXIT=<code> -DPATTERN=<regex>
#         [-DARGS=<a;b>] -P expect_exit.cmake
# An empty TEST gives no --test (the program comes from ARGS, e.g. --onnx MODEL).
set(test_args)
if(NOT "${TEST}" STREQUAL "")
  set(test_args --test ${TEST})
endif()
execute_process(
  COMMAND ${SIM} ${test_args} --vectors ${VECTORS} --out ${OUT} --quiet ${ARGS}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL EXIT)
  message(FATAL_ERROR "expected exit ${EXIT}, the simulator exited ${rc}")
elseif(NOT "${out}${err}" MATCHES "${PATTERN}")
  message(FATAL_ERROR "exit ${rc} as expected, but the output does not match '${PATTERN}'")
endif()
message("exit ${rc} and output matching '${PATTERN}', as expected")
