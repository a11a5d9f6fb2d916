// The one translation unit with Catch2's main() for onnx_tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
