start_all()
machine.wait_for_unit("multi-user.target")

with subtest("the kernel is Linux"):
    kernel = machine.succeed("uname -s").strip()
    assert kernel == "Linux", kernel
