// Runs an ONNX model under ONNX Runtime (onnxruntime-node, CPU execution
// provider, one thread) for the tests' ground truth.
//
// Usage: node ort_run.js [DIR]   (DIR: the folder tools/onnxruntime.sh
// installed into; else $ONNXRUNTIME_DIR)
//
// Request on standard input:
//   {"model": PATH, "inputs": {NAME: {"dims": [...], "data": [...]}}}
// Reply on standard output:
//   {"outputs": {NAME: {"dims": [...], "data": [...]}}}
// Data are float32, row-major. Each output value is printed as the double
// equal to the float32 value, which reads back as that same float32 (-0
// too); NaN and the infinities, which JSON has no numbers for, are the
// strings "NaN", "Infinity" and "-Infinity" (inputs may use them too). An
// error goes to standard error with exit status 1.
'use strict';

const fs = require('fs');
const path = require('path');

function fail(msg) {
  process.stderr.write(`ort_run.js: ${msg}\n`);
  process.exit(1);
}

function loadOrt() {
  const dir = process.argv[2] || process.env.ONNXRUNTIME_DIR;
  if (!dir) {
    fail('no onnxruntime-node folder: give it as the argument or in ONNXRUNTIME_DIR');
  }
  const pkg = path.join(path.resolve(dir), 'node_modules', 'onnxruntime-node');
  if (!fs.existsSync(path.join(pkg, 'package.json'))) {
    fail(`onnxruntime-node is not installed in ${dir} (run tools/onnxruntime.sh)`);
  }
  try {
    return require(pkg);
  } catch (e) {
    fail(`loading onnxruntime-node from ${pkg}: ${e.message}`);
  }
}

function toFloat(v) {
  if (typeof v === 'number') return v;
  switch (v) {
    case 'NaN': return NaN;
    case 'Infinity': return Infinity;
    case '-Infinity': return -Infinity;
  }
  throw new Error(`not a number: ${JSON.stringify(v)}`);
}

// number is x in JSON: the shortest decimal that reads back as the double
// x (for a float32 value, that float32), "-0" for negative zero, a string
// for NaN and the infinities.
function number(x) {
  if (Object.is(x, -0)) return '-0';
  return Number.isFinite(x) ? String(x) : `"${x}"`;
}

async function main() {
  const ort = loadOrt();
  let req;
  try {
    req = JSON.parse(fs.readFileSync(0, 'utf8'));
  } catch (e) {
    fail(`request: ${e.message}`);
  }
  if (typeof req.model !== 'string') fail('request: no model path');
  if (!fs.existsSync(req.model)) fail(`model ${req.model}: no such file`);

  const session = await ort.InferenceSession.create(req.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
  });
  const feeds = {};
  for (const [name, t] of Object.entries(req.inputs || {})) {
    if (!session.inputNames.includes(name)) {
      throw new Error(`model ${req.model} has no input ${name} (its inputs: ${session.inputNames.join(', ')})`);
    }
    const dims = t.dims || [];
    const data = Float32Array.from(t.data || [], toFloat);
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new Error(`input ${name}: dims [${dims}] hold ${size} values, data has ${data.length}`);
    }
    feeds[name] = new ort.Tensor('float32', data, dims);
  }
  const results = await session.run(feeds);
  // Written by hand rather than by JSON.stringify, which prints -0 as 0.
  const outputs = [];
  for (const name of session.outputNames) {
    const t = results[name];
    if (t.type !== 'float32') {
      throw new Error(`output ${name} is ${t.type}; only float32 is supported`);
    }
    const data = Array.from(t.data, number).join(',');
    outputs.push(`${JSON.stringify(name)}:{"dims":${JSON.stringify(Array.from(t.dims))},"data":[${data}]}`);
  }
  process.stdout.write(`{"outputs":{${outputs.join(',')}}}\n`);
}

main().catch((e) => fail(e && e.message ? e.message : String(e)));
