#!/usr/bin/env node
// The reference runner: runs an ONNX model on onnxruntime (npm's onnxruntime-node, CPU) and writes
// every output as .npy.
//
//   node tools/onnx/ort_run.mjs MODEL.onnx [FILE ...] [NAME=FILE ...] --out DIR
//        [--ort DIR] [--threads N] [--opt disabled|basic|extended|all] [--save-optimized FILE]
//
// Inputs are TensorProto .pb or .npy files: plain FILEs in the order of the graph's inputs,
// NAME=FILE by name. Outputs go to DIR/output_<i>.npy in the graph's output order (the node tests'
// naming), one line each on stdout: "output_0 y uint8 [1,1,7,7] DIR/output_0.npy".
// --ort is the folder install_ort.sh installed into (default: build/ort next to this script's
// repository, or $NNA_ORT_DIR). One thread by default, so runs are repeatable on a shared machine.
// --save-optimized writes the graph as ORT optimized it (e.g. to see a QDQ group fused into
// QLinearConv). Exit status: 0 done, 2 bad input or a runtime error (one sentence on stderr).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

class Bad extends Error {}
const fail = (msg) => { throw new Bad(msg); };

// ONNX TensorProto.DataType codes -> onnxruntime tensor type, typed array, .npy dtype.
const TYPES = {
  1: ['float32', Float32Array, '<f4'], 2: ['uint8', Uint8Array, '|u1'], 3: ['int8', Int8Array, '|i1'],
  4: ['uint16', Uint16Array, '<u2'], 5: ['int16', Int16Array, '<i2'], 6: ['int32', Int32Array, '<i4'],
  7: ['int64', BigInt64Array, '<i8'], 9: ['bool', Uint8Array, '|b1'], 10: ['float16', Uint16Array, '<f2'],
  11: ['float64', Float64Array, '<f8'], 12: ['uint32', Uint32Array, '<u4'], 13: ['uint64', BigUint64Array, '<u8'],
};
const BY_ORT = Object.fromEntries(Object.values(TYPES).map((t) => [t[0], t]));
const BY_NPY = Object.fromEntries(Object.values(TYPES).map((t) => [t[2], t]));
const count = (dims) => dims.reduce((a, b) => a * b, 1);

// A typed array over a copy of bytes (copied so that the offset is aligned).
function view(Array, bytes, file) {
  if (bytes.length % Array.BYTES_PER_ELEMENT) fail(`${file} has ${bytes.length} data bytes, not a whole number of elements.`);
  const copy = new Uint8Array(bytes);
  return new Array(copy.buffer, 0, copy.length / Array.BYTES_PER_ELEMENT);
}

// --- TensorProto (protobuf wire format: varint keys, fields 1 dims, 2 data_type, 4 float_data,
// 5 int32_data, 7 int64_data, 8 name, 9 raw_data, 10 double_data, 11 uint64_data, 13 external_data,
// 14 data_location).
function readPb(file) {
  const b = fs.readFileSync(file);
  let pos = 0;
  const varint = (end) => {
    let v = 0n, shift = 0n;
    for (;;) {
      if (pos >= end) fail(`${file} is not a TensorProto file: it ends inside a number (truncated?).`);
      const byte = b[pos++];
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
      shift += 7n;
      if (shift > 63n) fail(`${file} is not a TensorProto file: a number is longer than 10 bytes.`);
    }
  };
  const t = { dims: [], type: 0, name: '', raw: null, f: [], i32: [], i64: [], d: [], u64: [], external: false };
  const numbers = { 1: 'dims', 5: 'i32', 7: 'i64', 11: 'u64' };
  while (pos < b.length) {
    const key = Number(varint(b.length)), field = key >> 3, wire = key & 7;
    if (wire === 0) {
      const v = varint(b.length);
      if (field === 2) t.type = Number(v);
      else if (field === 14) t.external = t.external || v === 1n;
      else if (numbers[field]) t[numbers[field]].push(v);
    } else if (wire === 2) {
      const len = Number(varint(b.length)), end = pos + len;
      if (end > b.length) fail(`${file} is truncated: a field of ${len} bytes runs past its end.`);
      const body = b.subarray(pos, end);
      if (field === 8) t.name = body.toString('utf8');
      else if (field === 9) t.raw = body;
      else if (field === 13) t.external = true;
      else if (field === 4) for (let k = 0; k + 4 <= len; k += 4) t.f.push(body.readFloatLE(k));
      else if (field === 10) for (let k = 0; k + 8 <= len; k += 8) t.d.push(body.readDoubleLE(k));
      else if (numbers[field]) while (pos < end) t[numbers[field]].push(varint(end));
      pos = end;
    } else if (wire === 5) {
      if (field === 4) t.f.push(b.readFloatLE(pos));
      pos += 4;
    } else if (wire === 1) {
      if (field === 10) t.d.push(b.readDoubleLE(pos));
      pos += 8;
    } else {
      fail(`${file} is not a TensorProto file: field ${field} has wire type ${wire}.`);
    }
    if (pos > b.length) fail(`${file} is truncated inside field ${field}.`);
  }
  const what = `${file}: tensor '${t.name}'`;
  if (t.external) fail(`${what} keeps its data in an external file, which is not supported.`);
  const type = TYPES[t.type] || fail(`${what} has data type ${t.type}, which the runner does not support.`);
  const dims = t.dims.map(Number), n = count(dims);
  let data;
  if (t.raw) {
    if (t.raw.length !== n * type[1].BYTES_PER_ELEMENT)
      fail(`${what} has ${t.raw.length} bytes of raw_data where ${type[0]} [${dims}] needs ${n * type[1].BYTES_PER_ELEMENT}.`);
    data = view(type[1], t.raw, file);
  } else {
    const source = { 1: t.f, 11: t.d, 7: t.i64, 12: t.u64, 13: t.u64 }[t.type] || t.i32;
    if (source.length !== n) fail(`${what} has ${source.length} values for its ${n} elements.`);
    data = new type[1](n);
    for (let k = 0; k < n; ++k) {
      const v = source[k];
      if (type[1] === BigInt64Array) data[k] = BigInt.asIntN(64, v);
      else if (type[1] === BigUint64Array) data[k] = BigInt.asUintN(64, v);
      else data[k] = typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v;
    }
  }
  return { type: type[0], dims, data };
}

// --- .npy (NumPy's format description: magic, version, header length, a dict literal).
function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.length < 10 || b.toString('latin1', 0, 6) !== '\x93NUMPY') fail(`${file} is not a .npy file.`);
  const major = b[6], lenBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3) fail(`${file} is .npy version ${major}.${b[7]}, which is not supported.`);
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8), start = 8 + lenBytes + hlen;
  if (start > b.length) fail(`${file} is truncated inside its .npy header.`);
  const header = b.toString('latin1', 8 + lenBytes, start);
  const descr = (header.match(/'descr':\s*'([^']*)'/) || [])[1];
  const fortran = (header.match(/'fortran_order':\s*(True|False)/) || [])[1];
  const shape = (header.match(/'shape':\s*\(([^)]*)\)/) || [])[1];
  if (descr === undefined || fortran === undefined || shape === undefined) fail(`${file} has a .npy header without descr, fortran_order or shape.`);
  if (fortran === 'True') fail(`${file} stores its array in Fortran order, which is not supported.`);
  const type = BY_NPY[descr] || BY_NPY[descr.replace('=', '<')] || fail(`${file} has dtype '${descr}', which is not supported.`);
  const dims = shape.split(',').map((s) => s.trim().replace(/L$/, '')).filter((s) => s).map(Number);
  const need = count(dims) * type[1].BYTES_PER_ELEMENT;
  if (b.length - start !== need) fail(`${file} has ${b.length - start} bytes of data where ${descr} [${dims}] needs ${need}.`);
  return { type: type[0], dims, data: view(type[1], b.subarray(start), file) };
}

function writeNpy(file, type, dims, data) {
  const t = BY_ORT[type] || fail(`output ${file} has type ${type}, which .npy cannot hold here.`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${t[2]}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

function parseArgs(argv) {
  const a = { model: null, files: [], named: {}, out: null, ort: process.env.NNA_ORT_DIR || path.join(here, '../../build/ort'),
    threads: 1, opt: 'all', saveOptimized: null };
  for (let i = 0; i < argv.length; ++i) {
    const v = argv[i], next = () => argv[++i] ?? fail(`${v} needs a value.`);
    if (v === '--out') a.out = next();
    else if (v === '--ort') a.ort = next();
    else if (v === '--threads') a.threads = Number(next());
    else if (v === '--opt') a.opt = next();
    else if (v === '--save-optimized') a.saveOptimized = next();
    else if (v.startsWith('--')) fail(`unknown option ${v} (see the head of tools/onnx/ort_run.mjs).`);
    else if (!a.model) a.model = v;
    else if (v.includes('=') && !fs.existsSync(v)) a.named[v.slice(0, v.indexOf('='))] = v.slice(v.indexOf('=') + 1);
    else a.files.push(v);
  }
  if (!a.model || !a.out) fail('usage: ort_run.mjs MODEL.onnx [FILE ...] [NAME=FILE ...] --out DIR [--ort DIR] [--threads N] [--opt LEVEL] [--save-optimized FILE]');
  return a;
}

function loadOrt(dir) {
  const pkg = path.join(dir, 'node_modules/onnxruntime-node/package.json');
  if (!fs.existsSync(pkg)) fail(`onnxruntime-node is not installed in ${dir}: run \`make deps\` (tools/onnx/install_ort.sh).`);
  const require = createRequire(path.resolve(dir, 'package.json'));
  return { ort: require('onnxruntime-node'), version: JSON.parse(fs.readFileSync(pkg, 'utf8')).version };
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const { ort, version } = loadOrt(a.ort);
  if (!fs.existsSync(a.model)) fail(`cannot open ${a.model}.`);
  let session;
  try {
    // x64quantprecision 1: U8U8 integer kernels on x64 CPUs without VNNI, whose U8S8 kernel
    // saturates pairs of products to int16 (vpmaddubsw) and so is not the exact arithmetic. A model
    // with int8 activations has no kernel then (its QLinearConv is S8S8): it loads without it.
    // qdqisint8allowed 1: x64 ORT fuses a QDQ group of int8 activations into its integer kernel
    // (it does so by default on ARM only); unfused, the group runs in float, which is not exact.
    const options = {
      graphOptimizationLevel: a.opt, intraOpNumThreads: a.threads, interOpNumThreads: 1, executionProviders: ['cpu'],
      extra: { session: { x64quantprecision: '1', qdqisint8allowed: '1' } } };
    if (a.saveOptimized) options.optimizedModelFilePath = a.saveOptimized;
    try {
      session = await ort.InferenceSession.create(a.model, options);
    } catch (e) {
      delete options.extra.session.x64quantprecision;
      session = await ort.InferenceSession.create(a.model, options);
    }
  } catch (e) {
    fail(`onnxruntime ${version} cannot load ${a.model}: ${String(e.message || e).replace(/\s+/g, ' ').trim()}`);
  }
  const names = session.inputNames;
  if (a.files.length > names.length) fail(`${a.model} has ${names.length} inputs (${names.join(', ')}) but ${a.files.length} files were given.`);
  const files = {};
  a.files.forEach((f, i) => { files[names[i]] = f; });
  for (const [name, f] of Object.entries(a.named)) {
    if (!names.includes(name)) fail(`${a.model} has no input '${name}' (its inputs: ${names.join(', ')}).`);
    files[name] = f;
  }
  const feeds = {};
  for (const name of names) {
    const f = files[name] ?? fail(`no file for input '${name}' of ${a.model} (its inputs: ${names.join(', ')}).`);
    const t = f.endsWith('.npy') ? readNpy(f) : readPb(f);
    const meta = (session.inputMetadata || []).find((m) => m.name === name);
    if (meta && meta.isTensor && meta.type !== t.type)
      fail(`input '${name}' of ${a.model} is ${meta.type} but ${f} holds ${t.type} [${t.dims}].`);
    feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  }
  let results;
  try {
    results = await session.run(feeds);
  } catch (e) {
    fail(`onnxruntime ${version} failed to run ${a.model}: ${String(e.message || e).replace(/\s+/g, ' ').trim()}`);
  }
  fs.mkdirSync(a.out, { recursive: true });
  session.outputNames.forEach((name, i) => {
    const t = results[name], file = path.join(a.out, `output_${i}.npy`);
    writeNpy(file, t.type, t.dims, t.data);
    console.log(`output_${i} ${name} ${t.type} [${t.dims.join(',')}] ${file}`);
  });
}

main().catch((e) => {
  console.error(`ort_run: ${e instanceof Bad ? e.message : e.stack || e}`);
  process.exit(2);
});
