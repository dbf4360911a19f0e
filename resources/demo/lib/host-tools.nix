# Absolute paths of the host (Debian) programs the demo derivations and start
# scripts use. Coreutils are named under /bin, which holds them whether or not
# the system is usr-merged.
{
  sh = "/bin/sh";
  bash = "/bin/bash";
  coreutils = "/bin";
  qemu = "/usr/bin/qemu-system-x86_64";
  setpriv = "/usr/bin/setpriv";
  python3 = "/usr/bin/python3";
  # What the driver needs on PATH: qemu, vde_switch, pnmtopng, tesseract…
  driverPath = "/usr/bin:/bin:/usr/sbin:/sbin";
}
