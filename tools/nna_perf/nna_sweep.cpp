// nna_sweep: a network's MAC utilization against the MAC array's height and width, from the
// compiler and the performance model (the paper's figure 8; docs/performance.md, "Array shape").
//   nna_sweep --network NAME [--input HxW] [--rows 32,64,...] [--cols 32,64,...] [--base fsd]
//             [--dat FILE]            every rows x cols pair
//   nna_sweep --network NAME [--input HxW] --shapes 64x96,96x128,... [--base fsd] [--dat FILE]
// Every point is the base configuration with the array resized (ports widened to fit, ArrayShape);
// each network is quantized once per distinct pool fusion (Quantize does not depend on the array)
// and lowered to one program per point, whose compute instructions the model predicts.
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <exception>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/network/lower.h"
#include "perf/perf_model.h"
#include "util/clip_text.h"

namespace {

namespace net = nna::compiler::network;

// The base configuration with an array of rows x cols. Every port keeps the base's width unless it
// must grow to hold one row of the array (rounded up to bank words): the weight port a weight row
// (rows bytes), the write port an output row and the activation port an activation packet (cols
// bytes). Everything else is the base's, as in the paper's figure 8.
nna::HwConfig ArrayShape(const nna::HwConfig& base, uint64_t rows, uint64_t cols) {
  if (rows == 0 || cols == 0 || cols % base.array_slice != 0)
    throw std::invalid_argument("array " + std::to_string(rows) + "x" + std::to_string(cols) +
                                ": rows must be at least 1 and cols a multiple of " +
                                std::to_string(base.array_slice));
  const auto round_up = [&](uint64_t bytes) {
    return (bytes + base.sram_bank_word_bytes - 1) / base.sram_bank_word_bytes * base.sram_bank_word_bytes;
  };
  nna::HwConfig cfg = base;
  cfg.array_rows = rows;
  cfg.array_cols = cols;
  cfg.sram_wt_port_bytes = std::max(base.sram_wt_port_bytes, round_up(rows));
  cfg.sram_wr_port_bytes = std::max(base.sram_wr_port_bytes, round_up(cols));
  cfg.sram_act_port_bytes = std::max(base.sram_act_port_bytes, round_up(cols));
  return cfg;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  for (size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
    items.push_back(text.substr(start, comma - start));
  items.push_back(text.substr(start));
  return items;
}

std::vector<uint64_t> ParseList(const std::string& text, const std::string& option) {
  std::vector<uint64_t> values;
  for (const std::string& item : SplitCommas(text)) {
    size_t used = 0;
    unsigned long long v = 0;
    try {
      v = std::stoull(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || item[0] == '-' || v == 0)
      throw std::invalid_argument("option " + option + " '" + nna::ClipText(text) + "': '" +
                                  nna::ClipText(item) + "' is not a positive integer");
    values.push_back(v);
  }
  return values;
}

// "AxB" as two positive integers.
std::pair<uint64_t, uint64_t> ParseShape(const std::string& text, const std::string& option) {
  const size_t x = text.find('x');
  if (x == std::string::npos || text.find('x', x + 1) != std::string::npos)
    throw std::invalid_argument("option " + option + ": '" + nna::ClipText(text) +
                                "' is not of the form AxB");
  const std::vector<uint64_t> ab = ParseList(text.substr(0, x) + "," + text.substr(x + 1), option);
  return {ab[0], ab[1]};
}

// The network file, its input resized to `hxw` (height x width, e.g. "540x960").
net::Network ReadNetwork(const std::string& name, const std::string& hxw) {
  const std::filesystem::path file = net::FindNetwork(name, NNA_VECTORS_DIR);
  if (hxw.empty()) return net::ParseNetworkFile(file);
  const auto [h, w] = ParseShape(hxw, "--input");
  YAML::Node root = YAML::LoadFile(file.string());
  root["input"]["height"] = h;
  root["input"]["width"] = w;
  YAML::Emitter out;
  out << root;
  return net::ParseNetworkText(out.c_str(), "networks/" + name + ".yaml at " + hxw);
}

struct Point {
  uint64_t rows = 0, cols = 0, macs = 0, terms = 0, cycles = 0, instrs = 0;
  double Ideal() const { return double(macs) / double(rows * cols); }
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string network, input, rows_text = "96", cols_text = "96", shapes_text, base_name = "fsd", dat;
  for (int i = 1; i < argc; i += 2) {
    const std::string key = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "nna_sweep: option %s needs a value\n", nna::ClipText(key).c_str());
      return 2;
    }
    const std::map<std::string, std::string*> options = {
        {"--network", &network},    {"--input", &input},    {"--rows", &rows_text}, {"--cols", &cols_text},
        {"--shapes", &shapes_text}, {"--base", &base_name}, {"--dat", &dat}};
    const auto option = options.find(key);
    if (option == options.end()) {
      std::fprintf(stderr, "nna_sweep: unknown option '%s'\n", nna::ClipText(key).c_str());
      return 2;
    }
    *option->second = argv[i + 1];
  }
  if (network.empty()) {
    std::fprintf(stderr,
                 "usage: nna_sweep --network NAME [--input HxW] [--rows 32,64,...] [--cols 32,64,...] "
                 "[--shapes RxC,...] [--base CFG] [--dat FILE]\n");
    return 2;
  }
  try {
    const nna::HwConfig& base = nna::FindHwConfig(base_name);
    std::vector<std::pair<uint64_t, uint64_t>> shapes;
    if (shapes_text.empty()) {
      for (const uint64_t r : ParseList(rows_text, "--rows"))
        for (const uint64_t c : ParseList(cols_text, "--cols")) shapes.emplace_back(r, c);
    } else {
      for (const std::string& shape : SplitCommas(shapes_text))
        shapes.push_back(ParseShape(shape, "--shapes"));
    }
    const net::Network parsed = ReadNetwork(network, input);
    std::map<std::string, net::QuantNetwork> quantized;  // by the fusion's pool list
    std::vector<Point> points;
    for (const auto& [r, c] : shapes) {
      const nna::HwConfig cfg = ArrayShape(base, r, c);
      std::vector<net::Fusion> fused;
      const net::Network fused_net = net::FusePools(parsed, cfg, &fused);
      std::string key;
      for (const net::Fusion& f : fused) key += f.pool + ">" + f.into + ";";
      auto it = quantized.find(key);
      if (it == quantized.end()) {
        const auto start = std::chrono::steady_clock::now();
        std::fprintf(stderr, "nna_sweep: quantizing %s (%zu pools fused)...\n", parsed.name.c_str(),
                     fused.size());
        it = quantized.emplace(key, net::Quantize(fused_net)).first;
        std::fprintf(stderr, "nna_sweep: quantized in %.1f s\n", Seconds(start));
      }
      const auto start = std::chrono::steady_clock::now();
      const net::LoweredNetwork l = net::LowerNetwork(it->second, cfg);
      Point p{r, c};
      p.macs = l.bundle.macs;  // the network's MACs: an identity conv's or an add's array work is none
      for (const auto& [index, pred] : nna::perf::PredictProgram(cfg, l.bundle)) {
        p.terms += pred.terms;
        p.cycles += pred.cycles.Total();
        ++p.instrs;
      }
      std::fprintf(stderr, "nna_sweep: %" PRIu64 "x%" PRIu64 " lowered and predicted in %.1f s\n", r, c,
                   Seconds(start));
      points.push_back(p);
    }
    std::printf("%s%s on %s with the array resized: %" PRIu64 " MACs\n\n", parsed.name.c_str(),
                input.empty() ? "" : (" at " + input).c_str(), base.name,
                points.empty() ? 0 : points[0].macs);
    std::printf(
        "| rows x cols | compute instrs | ideal cycles | tiling bound (terms) | bound utilization "
        "| predicted cycles | predicted utilization |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (const Point& p : points)
      std::printf("| %" PRIu64 "x%" PRIu64 " | %" PRIu64 " | %.0f | %" PRIu64 " | %.1f%% | %" PRIu64
                  " | %.1f%% |\n",
                  p.rows, p.cols, p.instrs, p.Ideal(), p.terms, 100.0 * p.Ideal() / double(p.terms), p.cycles,
                  100.0 * p.Ideal() / double(p.cycles));
    if (!dat.empty()) {
      std::ofstream f(dat);
      f << "# rows cols macs terms cycles bound_util predicted_util\n";
      for (const Point& p : points)
        f << p.rows << ' ' << p.cols << ' ' << p.macs << ' ' << p.terms << ' ' << p.cycles << ' '
          << p.Ideal() / double(p.terms) << ' ' << p.Ideal() / double(p.cycles) << '\n';
      if (!f) throw std::runtime_error("cannot write " + dat);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nna_sweep: %s\n", e.what());
    return 2;
  }
  return 0;
}
