start_all()
machine.wait_for_unit("multi-user.target")

kernel = machine.succeed("uname -s").strip()
assert kernel == "Linux", kernel
