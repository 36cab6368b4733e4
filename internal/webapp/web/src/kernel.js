// A kernel connection over kernel serve's websocket (jupyter_server's
// JSON wire format): requests, replies and iopub messages routed to the
// request that caused them, the kernel's status, and reconnection when the
// socket drops (a server restart, a network blip).
import { appURL } from './base.js';
import { kernels } from './api.js';

function uuid() {
  return crypto.randomUUID ? crypto.randomUUID().replace(/-/g, '') :
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

// Code points to UTF-16 offsets and back: the protocol counts code points.
export function toCodePoints(text, utf16) {
  return [...text.slice(0, utf16)].length;
}
export function fromCodePoints(text, cp) {
  let i = 0;
  for (const ch of text) {
    if (cp-- <= 0) break;
    i += ch.length;
  }
  return i;
}

export class Kernel {
  // onStatus(state, detail) hears 'connecting', 'idle', 'busy',
  // 'restarting', 'reconnecting', 'disconnected', 'dead'.
  constructor(id, onStatus, onLost) {
    this.id = id;
    this.session = uuid();
    this.onStatus = onStatus;
    this.onLost = onLost; // the kernel is gone (server restarted): the caller starts another
    this.handlers = new Map(); // msg_id -> {onIOPub, resolve, reject, reply, idle}
    this.ws = null;
    this.closed = false;
    this.retries = 0;
    this.state = 'connecting';
  }

  connect() {
    this.setState('connecting');
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}${appURL(`api/kernels/${this.id}/channels`)}?session_id=${this.session}`);
    this.ws = ws;
    ws.onopen = () => {
      this.retries = 0;
      this.request('shell', 'kernel_info_request', {}).then(() => {
        if (this.state === 'connecting' || this.state === 'reconnecting') this.setState('idle');
      }, () => {});
    };
    ws.onmessage = (ev) => this.receive(JSON.parse(ev.data));
    ws.onclose = () => {
      if (this.ws !== ws || this.closed) return;
      this.failPending('the connection to the kernel was lost');
      this.reconnect();
    };
  }

  async reconnect() {
    this.setState('reconnecting');
    const delay = Math.min(500 * 2 ** this.retries, 8000);
    this.retries++;
    await new Promise((r) => setTimeout(r, delay));
    if (this.closed) return;
    try {
      await kernels.get(this.id);
    } catch (e) {
      if (e.status === 404) {
        this.closed = true;
        this.setState('dead', 'the kernel is gone');
        this.onLost && this.onLost();
        return;
      }
      if (e.status === 403) {
        this.setState('disconnected', 'log in again');
        return;
      }
      this.reconnect(); // the server is not back yet
      return;
    }
    this.connect();
  }

  setState(state, detail) {
    this.state = state;
    this.onStatus && this.onStatus(state, detail);
  }

  close() {
    this.closed = true;
    if (this.ws) this.ws.close();
    this.failPending('closed');
  }

  failPending(why) {
    for (const [id, h] of this.handlers) {
      h.reject(new Error(why));
      this.handlers.delete(id);
    }
  }

  send(channel, type, content) {
    const msg = {
      header: { msg_id: uuid(), msg_type: type, session: this.session, username: 'nmfkernel-app', date: new Date().toISOString(), version: '5.3' },
      parent_header: {}, metadata: {}, content, buffers: [], channel,
    };
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) throw new Error('the kernel is not connected');
    this.ws.send(JSON.stringify(msg));
    return msg.header.msg_id;
  }

  // request sends a request and resolves with its reply; with waitIdle,
  // only once the kernel's idle status for it has come too (all its output
  // is in). onIOPub hears the iopub messages it causes.
  request(channel, type, content, { onIOPub, waitIdle = false } = {}) {
    return new Promise((resolve, reject) => {
      let id;
      try { id = this.send(channel, type, content); } catch (e) { reject(e); return; }
      this.handlers.set(id, { onIOPub, resolve, reject, reply: null, idle: !waitIdle });
    });
  }

  receive(msg) {
    const parent = msg.parent_header && msg.parent_header.msg_id;
    const h = parent && this.handlers.get(parent);
    if (msg.channel === 'iopub') {
      if (msg.header.msg_type.startsWith('comm_')) {
        if (this.onComm) this.onComm(msg);
        return;
      }
      if (msg.header.msg_type === 'status') {
        const st = msg.content.execution_state;
        if (st === 'restarting' || st === 'dead') this.failPending(st === 'dead' ? 'the kernel died' : 'the kernel restarted');
        if (st !== 'starting') this.setState(st === 'autorestarting' ? 'restarting' : st);
        if (h && st === 'idle') {
          h.idle = true;
          this.settle(parent, h);
        }
        return;
      }
      if (h && h.onIOPub) h.onIOPub(msg);
      else if (!h && msg.header.msg_type === 'update_display_data' && this.onUpdateDisplay) this.onUpdateDisplay(msg);
      return;
    }
    if (msg.channel === 'stdin') {
      if (msg.header.msg_type === 'input_request') {
        const value = window.prompt(msg.content.prompt || 'Input:') ?? '';
        const reply = { header: { msg_id: uuid(), msg_type: 'input_reply', session: this.session, username: 'nmfkernel-app', date: new Date().toISOString(), version: '5.3' }, parent_header: msg.header, metadata: {}, content: { value }, buffers: [], channel: 'stdin' };
        this.ws.send(JSON.stringify(reply));
      }
      return;
    }
    if (h) {
      h.reply = msg;
      this.settle(parent, h);
    }
  }

  settle(id, h) {
    if (h.reply && h.idle) {
      this.handlers.delete(id);
      h.resolve(h.reply);
    }
  }

  interrupt() { return kernels.interrupt(this.id); }
  async restart() {
    this.failPending('the kernel restarted');
    this.setState('restarting');
    await kernels.restart(this.id);
  }
}
