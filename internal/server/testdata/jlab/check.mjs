// Drives a running nmfkernel server with @jupyterlab/services, the client
// library JupyterLab itself uses. BASE_URL and TOKEN come from the
// environment (jlab_test.go sets them). Prints "ok <check>" per check and
// exits 1 on the first failure.
import { KernelManager, ServerConnection, SessionManager } from '@jupyterlab/services';
import WebSocket from 'ws';

const baseUrl = process.env.BASE_URL;
const token = process.env.TOKEN;
const serverSettings = ServerConnection.makeSettings({
  baseUrl,
  wsUrl: baseUrl.replace(/^http/, 'ws'),
  token,
  appendToken: true,
  WebSocket,
  fetch,
  Request,
  Headers,
});

function check(name, cond, detail) {
  if (!cond) {
    console.log(`FAIL ${name}: ${JSON.stringify(detail)}`);
    process.exit(1);
  }
  console.log(`ok ${name}`);
}

// connected waits for a kernel connection's websocket, as JupyterLab does
// before it sends requests.
function connected(kernel) {
  return new Promise((resolve, reject) => {
    if (kernel.connectionStatus === 'connected') return resolve();
    kernel.connectionStatusChanged.connect((_, status) => {
      if (status === 'connected') resolve();
      if (status === 'disconnected') reject(new Error('disconnected'));
    });
  });
}

async function execute(kernel, code) {
  await connected(kernel);
  const msgs = [];
  const future = kernel.requestExecute({ code, stop_on_error: false });
  future.onIOPub = (msg) => msgs.push(msg);
  const reply = await future.done;
  return { reply, msgs };
}

const timeout = setTimeout(() => {
  console.log('FAIL timeout');
  process.exit(1);
}, 120000);

const kernelManager = new KernelManager({ serverSettings });
await kernelManager.ready;
const kernel = await kernelManager.startNew({ name: 'nmfkernel' });
check('KernelManager.startNew', kernel.id.length === 36, kernel.id);

await connected(kernel);
const info = await kernel.info;
check('kernel_info', info.language_info.name === 'go' && info.protocol_version === '5.3', info);

let { reply, msgs } = await execute(kernel, 'import "fmt"\nfmt.Println("hello from Go")\n6 * 7');
const streams = msgs.filter((m) => m.header.msg_type === 'stream').map((m) => m.content.text).join('');
const results = msgs.filter((m) => m.header.msg_type === 'execute_result').map((m) => m.content.data['text/plain']);
check('execute: stream and execute_result', reply.content.status === 'ok' && streams === 'hello from Go\n' && results[0] === '42', { streams, results });

({ reply, msgs } = await execute(kernel, `import ("image"; "image/color"; "nmfkernel/lib/display")
img := image.NewRGBA(image.Rect(0, 0, 8, 8))
img.Set(1, 1, color.White)
display.Image(img)`));
const pngs = msgs.filter((m) => m.header.msg_type === 'display_data' && m.content.data['image/png']);
check('display_data with a PNG', reply.content.status === 'ok' && pngs.length === 1 && Buffer.from(pngs[0].content.data['image/png'], 'base64').subarray(1, 4).toString() === 'PNG', reply.content);

const busy = kernel.requestExecute({ code: 'n := 0\nfor { n++ }' });
await new Promise((r) => setTimeout(r, 500));
await kernel.interrupt();
const interrupted = await busy.done;
check('interrupt', interrupted.content.status === 'error' && interrupted.content.ename === 'Interrupt', interrupted.content);

({ reply } = await execute(kernel, 'counter := 1'));
await kernel.restart();
({ reply } = await execute(kernel, 'counter'));
check('restart', reply.content.status === 'error' && reply.content.evalue.includes('undefined: counter'), reply.content);

await kernel.shutdown();
check('shutdown', kernel.isDisposed || kernel.status === 'dead', kernel.status);

const sessionManager = new SessionManager({ kernelManager, serverSettings });
await sessionManager.ready;
const session = await sessionManager.startNew({ path: 'tutorial.ipynb', name: 'tutorial.ipynb', type: 'notebook', kernel: { name: 'nmfkernel' } });
({ reply, msgs } = await execute(session.kernel, '1 + 1'));
check('SessionManager.startNew and execute', reply.content.status === 'ok' && msgs.some((m) => m.header.msg_type === 'execute_result'), reply.content);
const found = await sessionManager.findByPath('tutorial.ipynb');
check('session found by path', found && found.id === session.id, found);
await session.shutdown();
check('session shutdown', true);

clearTimeout(timeout);
sessionManager.dispose();
kernelManager.dispose();
process.exit(0);
