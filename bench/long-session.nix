# Three machines printing to their serial consoles as fast as they can, for
# $NIXTIDE_BENCH_MINUTES minutes (default 10): bench_longsession serial.
let
  demo = import ../resources/demo/lib { };
in
demo.runTest {
  name = "long-session";
  nodes.a = { };
  nodes.b = { };
  nodes.c = { };
  testScript = ''
    import time

    start_all()
    for m in machines:
        m.wait_for_unit("multi-user.target")
        m.succeed(
            "(i=0; while true; do i=$((i+1)); echo \"flood $i ..................................................\"; done)"
            " </dev/null >/dev/ttyS0 2>&1 &"
        )
    end = time.monotonic() + float(os.environ.get("NIXTIDE_BENCH_MINUTES", "10")) * 60
    while time.monotonic() < end:
        time.sleep(1)
  '';
}
