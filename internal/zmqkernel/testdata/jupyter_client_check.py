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
