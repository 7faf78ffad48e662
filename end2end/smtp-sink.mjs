// A real SMTP receiver for the Playwright suite: the server under test sends its mail here over
// SMTP, as it would to a relay, and each message is written to <dir>/<n>.eml for the tests to
// read as the requester's mail client would. Listens on 127.0.0.1 on a free port and prints it.
// Usage: node smtp-sink.mjs <dir>
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node smtp-sink.mjs <dir>");
  process.exit(64);
}
mkdirSync(dir, { recursive: true });
let received = 0;

/** Writes one message whole: a reader never sees half of one. */
function keep(lines) {
  received += 1;
  const name = `${String(received).padStart(6, "0")}.eml`;
  const unstuffed = lines.map((l) => (l[0] === 0x2e ? l.subarray(1) : l));
  const body = Buffer.concat(unstuffed.flatMap((l) => [l, Buffer.from("\r\n")]));
  const tmp = path.join(path.dirname(dir), `.smtp-${name}.part`);
  writeFileSync(tmp, body);
  renameSync(tmp, path.join(dir, name));
  return name;
}

const server = net.createServer((socket) => {
  let pending = Buffer.alloc(0);
  let data = null; // the message's lines while DATA is being read
  const say = (line) => socket.write(`${line}\r\n`);
  say("220 frontline-e2e-sink ESMTP");
  socket.on("data", (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    let end;
    while ((end = pending.indexOf("\r\n")) >= 0) {
      const line = pending.subarray(0, end);
      pending = pending.subarray(end + 2);
      if (data) {
        if (line.length === 1 && line[0] === 0x2e) {
          say(`250 2.0.0 queued as ${keep(data)}`);
          data = null;
        } else {
          data.push(line);
        }
        continue;
      }
      const verb = line.toString("latin1").split(" ")[0].toUpperCase();
      if (verb === "EHLO") socket.write("250-frontline-e2e-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n");
      else if (verb === "HELO") say("250 frontline-e2e-sink");
      else if (verb === "MAIL" || verb === "RCPT" || verb === "RSET" || verb === "NOOP") say("250 2.0.0 OK");
      else if (verb === "DATA") {
        data = [];
        say("354 End data with <CR><LF>.<CR><LF>");
      } else if (verb === "QUIT") {
        say("221 2.0.0 Bye");
        socket.end();
      } else say("502 5.5.2 Command not recognized");
    }
  });
  socket.on("error", () => socket.destroy());
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
