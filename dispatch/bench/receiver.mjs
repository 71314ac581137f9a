// Push receiver for `pnpm bench:dispatch`, run as its own process so its CPU is not the
// dispatcher's. Answers {"code":0} to every POST. Prints "port <n>" on start. On the IPC message
// "report" it sends back { requests, records, arrivals } where arrivals maps
// "<deviceImei>|<gpsTime>" → arrival time (ms) — only when started with "--track".
import { createServer } from 'node:http';

const track = process.argv.includes('--track');
const KEY = Buffer.from('%22deviceImei%22');
let requests = 0;
let records = 0;
const arrivals = new Map();
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const now = Date.now();
    requests++;
    const body = Buffer.concat(chunks);
    if (track) {
      const s = body.toString();
      const i = s.indexOf('data_list=');
      const list = JSON.parse(decodeURIComponent(s.slice(i + 10).replace(/\+/g, ' ')));
      records += list.length;
      for (const r of list) arrivals.set(`${r.deviceImei}|${r.gpsTime}`, now);
    } else {
      // throughput runs: count the records without decoding them (the receiver is not what is measured)
      for (let i = body.indexOf(KEY); i >= 0; i = body.indexOf(KEY, i + KEY.length)) records++;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 26 });
    res.end('{"code":0,"msg":"success"}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${server.address().port}\n`);
});
process.on('message', (m) => {
  if (m === 'report') process.send({ requests, records, arrivals: [...arrivals] });
  if (m === 'reset') {
    requests = 0;
    records = 0;
    arrivals.clear();
  }
  if (m === 'exit') server.close(() => process.exit(0));
});
