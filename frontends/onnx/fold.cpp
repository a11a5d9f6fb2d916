#include "frontends/onnx/fold.h"

#include <cmath>
#include <optional>
#include <set>

#include "frontends/onnx/onnx_error.h"

namespace nna::onnx {

namespace {

class Folder {
 public:
  explicit Folder(const Model& m) : m_(m) {}

  Model Run() {
    for (size_t i = 0; i < m_.nodes.size(); ++i) FoldHardSwish(i);
    Drop();
    for (size_t i = 0; i < m_.nodes.size(); ++i)
      if (m_.nodes[i].op_type == "Pad" && m_.nodes[i].domain.empty()) FoldPad(i);
    Drop();
    for (size_t i = 0; i < m_.nodes.size(); ++i)
      if ((m_.nodes[i].op_type == "Mul" || m_.nodes[i].op_type == "Div") && m_.nodes[i].domain.empty())
        FoldScale(i);
    Drop();
    return std::move(m_);
  }

 private:
  // The nodes reading tensor t (node index, input index), and whether it is a graph output.
  std::vector<std::pair<size_t, size_t>> Readers(const std::string& t) const {
    std::vector<std::pair<size_t, size_t>> r;
    for (size_t i = 0; i < m_.nodes.size(); ++i)
      if (!dropped_.count(i))
        for (size_t k = 0; k < m_.nodes[i].inputs.size(); ++k)
          if (m_.nodes[i].inputs[k] == t) r.emplace_back(i, k);
    return r;
  }
  bool IsGraphOutput(const std::string& t) const {
    for (const ValueInfo& o : m_.outputs)
      if (o.name == t) return true;
    return false;
  }
  // The node writing tensor t, or -1.
  long Producer(const std::string& t) const {
    for (size_t i = 0; i < m_.nodes.size(); ++i)
      if (!dropped_.count(i))
        for (const std::string& o : m_.nodes[i].outputs)
          if (o == t) return long(i);
    return -1;
  }
  // The scalar value of initializer t, if it is one.
  std::optional<double> Scalar(const std::string& t) const {
    const Tensor* c = m_.FindInitializer(t);
    if (!c || c->NumElements() != 1) return std::nullopt;
    return c->AtDouble(0);
  }
  bool OnlyReader(const std::string& t, size_t node) const {
    const auto r = Readers(t);
    return !IsGraphOutput(t) && r.size() == 1 && r[0].first == node;
  }
  void Drop() {
    std::vector<Node> kept;
    for (size_t i = 0; i < m_.nodes.size(); ++i)
      if (!dropped_.count(i)) kept.push_back(std::move(m_.nodes[i]));
    m_.nodes = std::move(kept);
    dropped_.clear();
  }
  std::string NewInitializer(const std::string& name, Tensor t) {
    std::string unique = name;
    for (int k = 1; m_.FindInitializer(unique); ++k) unique = name + "_" + std::to_string(k);
    t.name = unique;
    m_.initializers.push_back(std::move(t));
    return unique;
  }

  // Pad (constant 0, spatial pads only) read only by Convs: its pads added to theirs.
  void FoldPad(size_t i) {
    const Node n = m_.nodes[i];
    const Attribute* mode = n.Find("mode");
    if (mode && mode->s != "constant")
      FailNode(n, "mode='" + mode->s +
                      "' has no lowering (the accelerator pads with the zero point: mode 'constant' only)");
    std::vector<int64_t> pads;
    if (n.inputs.size() > 1 && !n.inputs[1].empty()) {
      const Tensor* p = m_.FindInitializer(n.inputs[1]);
      if (!p) FailNode(n, "pads '" + n.inputs[1] + "' is not an initializer");
      for (size_t k = 0; k < p->NumElements(); ++k) pads.push_back(p->AtInt(k));
    } else if (const Attribute* a = n.Find("pads")) {
      pads = a->ints;
    }
    double value = 0;
    if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
      const std::optional<double> v = Scalar(n.inputs[2]);
      if (!v) FailNode(n, "constant_value '" + n.inputs[2] + "' is not a scalar initializer");
      value = *v;
    } else if (const Attribute* a = n.Find("value")) {
      value = a->f;
    }
    if (n.inputs.size() > 3 && !n.inputs[3].empty())
      FailNode(n, "has an axes input, which has no lowering (give pads for all 4 axes)");
    if (value != 0)
      FailNode(n, "pads with " + std::to_string(value) +
                      ", but only a Pad of zeros has a lowering (folded into the Conv that reads it)");
    if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5])
      FailNode(n, "pads=" + DimsText(pads) +
                      " pad more than the height and width of an NCHW tensor, which has no lowering");
    for (const int64_t p : pads)
      if (p < 0 || p > 255)
        FailNode(n, "pads=" + DimsText(pads) +
                        " has a value outside 0..255 (a crop or a pad wider "
                        "than the instruction's 8-bit pad fields)");
    const auto readers = Readers(n.outputs[0]);
    if (IsGraphOutput(n.outputs[0]) || readers.empty())
      FailNode(n,
               "its output is not read by a Conv (a Pad has a lowering only folded into "
               "the Convs that read it)");
    for (const auto& [r, k] : readers) {
      const Node& c = m_.nodes[r];
      if (c.op_type != "Conv" || k != 0)
        FailNode(n, "its output is read by " + c.Describe() +
                        ", but a Pad has a lowering only folded into the Convs that read it");
      if (const Attribute* a = c.Find("auto_pad"); a && a->s != "NOTSET")
        FailNode(n, "folds into " + c.Describe() + ", whose auto_pad='" + a->s + "' the fold cannot add to");
    }
    for (const auto& [r, k] : readers) {
      Node& c = m_.nodes[r];
      c.inputs[0] = n.inputs[0];
      Attribute* a = nullptr;
      for (Attribute& x : c.attributes)
        if (x.name == "pads") a = &x;
      if (!a) {
        Attribute p;
        p.name = "pads", p.kind = Attribute::Kind::kInts, p.ints = {0, 0, 0, 0};
        c.attributes.push_back(p);
        a = &c.attributes.back();
      }
      const int64_t add[4] = {pads[2], pads[3], pads[6], pads[7]};  // top, left, bottom, right
      for (size_t d = 0; d < 4; ++d) a->ints[d] += add[d];
    }
    dropped_.insert(i);
  }

  // Mul or Div of a Conv's output (read by it alone) by a constant of one value or one per
  // channel ([C], [C,1,1] or [1,C,1,1]): the Conv's weights and bias scaled, its output renamed.
  void FoldScale(size_t i) {
    const Node& n = m_.nodes[i];
    if (n.inputs.size() != 2) return;
    for (size_t side = 0; side < 2; ++side) {
      if (n.op_type == "Div" && side == 0) continue;  // c / x is no scale
      const Tensor* c = m_.FindInitializer(n.inputs[side]);
      const std::string& x = n.inputs[1 - side];
      const long p = Producer(x);
      if (!c || p < 0 || m_.nodes[size_t(p)].op_type != "Conv" || !OnlyReader(x, i)) continue;
      Node& conv = m_.nodes[size_t(p)];
      const Tensor* w = m_.FindInitializer(conv.inputs.size() > 1 ? conv.inputs[1] : "");
      if (!w || w->dims.empty() || w->type != DataType::kFloat) continue;
      const int64_t cout = w->dims[0];
      const std::vector<int64_t>& d = c->dims;
      const bool per_channel = c->NumElements() == size_t(cout) &&
                               (d == std::vector<int64_t>{cout} || d == std::vector<int64_t>{cout, 1, 1} ||
                                d == std::vector<int64_t>{1, cout, 1, 1});
      if (c->NumElements() != 1 && !per_channel) continue;  // left to the import's sentence
      const bool has_bias = conv.inputs.size() > 2 && !conv.inputs[2].empty();
      if (has_bias && !m_.FindInitializer(conv.inputs[2])) continue;  // the import names the bias
      std::vector<double> f(static_cast<size_t>(cout));
      for (int64_t o = 0; o < cout; ++o) {
        const double v = c->AtDouble(c->NumElements() == 1 ? 0 : size_t(o));
        f[size_t(o)] = n.op_type == "Div" ? 1 / v : v;
        if (!std::isfinite(f[size_t(o)]))
          FailNode(n, "scales output channel " + std::to_string(o) + " of " + conv.Describe() + " by " +
                          std::to_string(f[size_t(o)]) + ", which is not finite");
      }
      const size_t per = w->NumElements() / size_t(cout);
      std::vector<double> wv(w->NumElements());
      for (size_t e = 0; e < wv.size(); ++e) wv[e] = double(float(w->AtDouble(e) * f[e / per]));
      const std::string wname =
          NewInitializer(conv.inputs[1] + "_" + n.op_type, MakeFloatTensor(DataType::kFloat, w->dims, wv));
      conv.inputs[1] = wname;
      if (has_bias) {
        const Tensor* b = m_.FindInitializer(conv.inputs[2]);
        std::vector<double> bv(b->NumElements());
        for (size_t e = 0; e < bv.size(); ++e) bv[e] = double(float(b->AtDouble(e) * f[e]));
        conv.inputs[2] =
            NewInitializer(conv.inputs[2] + "_" + n.op_type, MakeFloatTensor(DataType::kFloat, b->dims, bv));
      }
      conv.outputs[0] = n.outputs[0];
      dropped_.insert(i);
      return;
    }
  }

  // x * Clip(x + 3, 0, 6) / 6 (or * 1/6, the division on either side of the product) as HardSwish(x).
  void FoldHardSwish(size_t i) {
    const Node& add = m_.nodes[i];
    if (add.op_type != "Add" || add.inputs.size() != 2 || dropped_.count(i)) return;
    const size_t k3 = Scalar(add.inputs[1]) == 3.0 ? 1 : Scalar(add.inputs[0]) == 3.0 ? 0 : 2;
    if (k3 == 2 || !OnlyReaderOp(add.outputs[0], "Clip")) return;
    const std::string& x = add.inputs[1 - k3];
    const size_t clip = Readers(add.outputs[0])[0].first;
    const Node& c = m_.nodes[clip];
    if (!(c.inputs.size() > 2 && Scalar(c.inputs[1]) == 0.0 && Scalar(c.inputs[2]) == 6.0)) return;
    // Then either Mul(x, clip) -> /6, or clip /6 -> Mul(x, .).
    std::vector<size_t> chain{i, clip};
    std::string t = c.outputs[0];
    bool multiplied = false, divided = false;
    while (!(multiplied && divided)) {
      if (IsGraphOutput(t) || Readers(t).size() != 1) return;
      const size_t r = Readers(t)[0].first;
      const Node& m = m_.nodes[r];
      const std::string& other = m.inputs.size() == 2 ? m.inputs[m.inputs[0] == t ? 1 : 0] : "";
      if (!multiplied && m.op_type == "Mul" && other == x) {
        multiplied = true;
      } else if (!divided &&
                 ((m.op_type == "Div" && m.inputs[0] == t && Scalar(other) == 6.0) ||
                  (m.op_type == "Mul" && Scalar(other) && std::fabs(*Scalar(other) * 6 - 1) < 1e-6))) {
        divided = true;
      } else {
        return;
      }
      chain.push_back(r);
      t = m.outputs[0];
    }
    Node& last = m_.nodes[chain.back()];
    Node h;
    h.name = add.name, h.op_type = "HardSwish", h.inputs = {x}, h.outputs = {last.outputs[0]};
    for (size_t k = 0; k + 1 < chain.size(); ++k) dropped_.insert(chain[k]);
    last = h;
  }
  bool OnlyReaderOp(const std::string& t, const char* op) const {
    const auto r = Readers(t);
    return !IsGraphOutput(t) && r.size() == 1 && m_.nodes[r[0].first].op_type == op;
  }

  Model m_;
  std::set<size_t> dropped_;
};

}  // namespace

Model FoldGraph(const Model& model) { return Folder(model).Run(); }

}  // namespace nna::onnx
