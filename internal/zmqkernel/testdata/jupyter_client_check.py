"""Drive the installed nmfkernel with jupyter_client, as JupyterLab and
nbconvert do: kernel_info, execute, complete, inspect, interrupt, restart,
shutdown. Run by jupyter_e2e_test.go with JUPYTER_PATH pointing at a
temporary kernelspec; prints one line per check and exits non-zero on the
first failure."""
import sys
import time

from jupyter_client.manager import KernelManager


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name}: {detail}")
        sys.exit(1)
    print(f"ok {name}")


km = KernelManager(kernel_name="nmfkernel")
km.start_kernel()
kc = km.client()
kc.start_channels()
try:
    kc.wait_for_ready(timeout=60)
    info = kc.kernel_info(reply=True, timeout=30)["content"]
    check("kernel_info", info["protocol_version"] == "5.3" and info["language_info"]["name"] == "go", info)

    outputs = []
    reply = kc.execute_interactive('import "fmt"\ncounter := 41\nfmt.Println("hello")\ncounter + 1',
                                   output_hook=outputs.append, timeout=60)
    texts = [o["content"].get("text") for o in outputs if o["msg_type"] == "stream"]
    results = [o["content"]["data"]["text/plain"] for o in outputs if o["msg_type"] == "execute_result"]
    check("execute", reply["content"]["status"] == "ok" and texts == ["hello\n"] and results == ["42"], (reply["content"], outputs))

    r = kc.complete('import "strings"\nstrings.Fie', cursor_pos=len('import "strings"\nstrings.Fie'), reply=True, timeout=30)["content"]
    check("complete", r["status"] == "ok" and "Fields" in r["matches"], r)

    r = kc.inspect("strings.Fields", cursor_pos=10, reply=True, timeout=30)["content"]
    check("inspect", r["found"] and "func Fields(s string) []string" in r["data"]["text/plain"], r)

    kc.is_complete("func f() {")
    r = kc.get_shell_msg(timeout=30)["content"]
    check("is_complete", r["status"] == "incomplete", r)

    # Directives: the shell, %env, %test, %%bash; an automatic import.
    outputs = []
    reply = kc.execute_interactive('%env NMF_CHECK=yes\n!echo shell says $NMF_CHECK',
                                   output_hook=outputs.append, timeout=60)
    texts = "".join(o["content"].get("text", "") for o in outputs if o["msg_type"] == "stream")
    check("%env and !", reply["content"]["status"] == "ok" and texts == "env: NMF_CHECK=yes\nshell says yes\n", (reply["content"], texts))
    outputs = []
    reply = kc.execute_interactive('%%bash\necho $((6 * 7))', output_hook=outputs.append, timeout=60)
    texts = "".join(o["content"].get("text", "") for o in outputs if o["msg_type"] == "stream")
    check("%%bash", reply["content"]["status"] == "ok" and texts == "42\n", (reply["content"], texts))
    outputs = []
    reply = kc.execute_interactive('import "testing"\nfunc TestAdd(t *testing.T) {\n\tif 1+1 != 3 {\n\t\tt.Errorf("1+1 = %d", 1+1)\n\t}\n}',
                                   output_hook=outputs.append, timeout=60)
    reply = kc.execute_interactive('%test', output_hook=outputs.append, timeout=60)
    texts = "".join(o["content"].get("text", "") for o in outputs if o["msg_type"] == "stream")
    check("%test", reply["content"]["status"] == "error" and reply["content"]["ename"] == "TestFailure"
          and "--- FAIL: TestAdd" in texts and "cell [4]:4: 1+1 = 2" in texts, (reply["content"], texts))
    outputs = []
    reply = kc.execute_interactive('xs := []int{3, 1, 2}\nsort.Ints(xs)\nxs', output_hook=outputs.append, timeout=60)
    results = [o["content"]["data"]["text/plain"] for o in outputs if o["msg_type"] == "execute_result"]
    check("automatic import", reply["content"]["status"] == "ok" and results == ["[1 2 3]"], (reply["content"], outputs))
    kc.is_complete("%%bash\nfor i in 1 2")
    r = kc.get_shell_msg(timeout=30)["content"]
    check("is_complete of a cell directive", r["status"] == "complete", r)
    # Widgets: comm_open on iopub with the controls 2.0 model, a comm_msg
    # update from the front end runs the callback, comm_info lists them.
    outputs = []
    reply = kc.execute_interactive('import "nmfkernel/lib/widgets"\nk := widgets.IntSlider(1, 9, 1, 4).Describe("k")\nk.OnChange(func() { fmt.Println("k =", k.Int()) })\nk',
                                   output_hook=outputs.append, timeout=60)
    opens = [o for o in outputs if o["msg_type"] == "comm_open"]
    slider = [o for o in opens if o["content"]["data"]["state"].get("_model_name") == "IntSliderModel"]
    views = [o["content"]["data"].get("application/vnd.jupyter.widget-view+json") for o in outputs if o["msg_type"] == "execute_result"]
    check("a widget opens its comm", reply["content"]["status"] == "ok" and len(slider) == 1
          and slider[0]["content"]["target_name"] == "jupyter.widget" and slider[0]["metadata"].get("version") == "2.1.0"
          and slider[0]["content"]["data"]["state"]["_model_module"] == "@jupyter-widgets/controls"
          and slider[0]["content"]["data"]["state"]["value"] == 4
          and views and views[0]["model_id"] == slider[0]["content"]["comm_id"], (reply["content"], opens, views))
    comm_id = slider[0]["content"]["comm_id"]
    msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": {"value": 7}, "buffer_paths": []}})
    kc.shell_channel.send(msg)
    texts = []
    deadline = time.time() + 30
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=30)
        if m["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            continue
        if m["msg_type"] == "stream":
            texts.append(m["content"]["text"])
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    check("a front end's update runs the widget's callback", "".join(texts) == "k = 7\n", texts)
    r = kc.comm_info(target_name="jupyter.widget", reply=True, timeout=30)["content"] if hasattr(kc, "comm_info") else None
    if r is None:
        kc.shell_channel.send(kc.session.msg("comm_info_request", {"target_name": "jupyter.widget"}))
        r = kc.get_shell_msg(timeout=30)["content"]
    check("comm_info lists the widgets", r["status"] == "ok" and comm_id in r["comms"] and r["comms"][comm_id]["target_name"] == "jupyter.widget", r)

    msg_id = kc.execute("!sleep 30")
    time.sleep(1)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=30)
    check("interrupt a shell command", reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "error"
          and reply["content"]["ename"] == "Interrupt", reply["content"])

    msg_id = kc.execute("n := 0\nfor { n++ }")
    time.sleep(1)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=30)
    check("interrupt", reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "error"
          and reply["content"]["ename"] == "Interrupt", reply["content"])
    r = kc.execute("counter", reply=True, timeout=30)["content"]
    check("state kept after interrupt", r["status"] == "ok", r)

    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=60)
    r = kc.execute("counter", reply=True, timeout=30)["content"]
    check("restart resets state", r["status"] == "error" and "undefined: counter" in r["evalue"], r)
    r = kc.execute("1 + 1", reply=True, timeout=30)["content"]
    check("restarted kernel runs cells", r["status"] == "ok" and r["execution_count"] == 2, r)
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=False)
check("shutdown", not km.is_alive())
