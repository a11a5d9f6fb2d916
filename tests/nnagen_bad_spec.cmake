# Copies spec/, breaks one value and expects nnagen to fail with a sentence that names the file
# and the key: configuration values, the configuration schema, a record field, and a register's
# reset_param, width, reset and offset.
# expect_rejected(<file under spec/> <text> <broken text> <expected message regex>)
function(expect_rejected file from to expected)
  file(REMOVE_RECURSE ${WORK})
  file(COPY ${SRC}/spec DESTINATION ${WORK})
  file(READ ${WORK}/spec/${file} text)
  string(REPLACE "${from}" "${to}" text "${text}")
  file(WRITE ${WORK}/spec/${file} "${text}")
  execute_process(COMMAND ${NNAGEN} --spec ${WORK}/spec --sv ${WORK}/sv --cpp ${WORK}/cpp --docs ${WORK}/docs
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(FATAL_ERROR "nnagen accepted ${file} with '${to}'")
  endif()
  if(NOT err MATCHES "${expected}")
    message(FATAL_ERROR "unexpected message: ${err}")
  endif()
  message(STATUS "nnagen said: ${err}")
endfunction()

expect_rejected(configs/tiny.yaml "banks: 8" "banks: 6"
                "tiny.yaml: key 'sram.banks' is 6, not a power of two")
expect_rejected(configs/tiny.yaml "program_depth: 2" "program_depth: 16"
                "tiny.yaml: key 'queues.program_depth' is 16, outside 1..15")
expect_rejected(configs/tiny.yaml "  max_burst: 16" "  max_burst: 16\n  max_bursts: 4"
                "tiny.yaml: key 'axi.max_bursts' is not in spec/config_schema.yaml")
expect_rejected(configs/tiny.yaml "  slice: 8" "  slice: 3"
                "tiny.yaml: array.cols must be a multiple of array.slice")
expect_rejected(config_schema.yaml "type: uint, min: 1, max: 2" "type: int, min: 1, max: 2"
                "config_schema.yaml key 'sram.bank_cycles': type 'int' is not one of: uint")
expect_rejected(isa.yaml "{name: bias, bits: 32, signed: true" "{name: bias, bits: 32, signed: maybe"
                "isa.yaml record 'channel_params' field 'bias': key 'signed' has the wrong type")
expect_rejected(csr.yaml "reset_param: watchdog_cycles" "reset_param: watchdog"
                "csr.yaml register 'watchdog_cycles': reset_param 'watchdog' is not a configuration key")
expect_rejected(csr.yaml "bits: 16" "bits: 40"
                "csr.yaml register 'prog_dram_hi': bits 40 is not 1..32")
expect_rejected(csr.yaml "reset: 0x7" "reset: 0xF"
                "csr.yaml register 'irq_enable': reset 15 does not fit in 3 bits")
expect_rejected(csr.yaml "offset: 0x64" "offset: 0x60"
                "csr.yaml register 'sram_ctrl': offset 96 is taken by register 'programs_done'")
