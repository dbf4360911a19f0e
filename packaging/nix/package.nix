# nixtide, built with nixpkgs' Qt 6. Used by flake.nix; also callPackage-able
# from an overlay: pkgs.callPackage ./packaging/nix/package.nix { }.
{
  lib,
  stdenv,
  cmake,
  ninja,
  pkg-config,
  qt6,
  qt6Packages,
  lxqt,
  kdePackages,
  libvncserver,
  python3,
  # Runtime tools the demo and the screenshot review call.
  netpbm,
  tesseract,
  # The unit suites run in checks; integration suites need QEMU and nix.
  doCheck ? false,
}:

let
  # The IDE's embedded interpreter lints and completes test scripts.
  analysisPython = python3.withPackages (ps: [
    ps.pyflakes
    ps.jedi
  ]);
in
stdenv.mkDerivation (finalAttrs: {
  pname = "nixtide";
  version = "0.1.0";

  # What CMake reads with the options below: bench/ is not built, tests/
  # only for the checks; resources/ holds the demo and the desktop files
  # that are installed; docs/guide.md is built into the binary (Help > Guide).
  src = lib.fileset.toSource {
    root = ../..;
    fileset = lib.fileset.unions (
      [
        ../../CMakeLists.txt
        ../../LICENSE
        ../../app
        ../../core
        ../../ui
        ../../resources
        ../../docs/guide.md
      ]
      ++ lib.optional doCheck ../../tests
    );
  };

  nativeBuildInputs = [
    cmake
    ninja
    pkg-config
    qt6.wrapQtAppsHook
    python3
  ];

  buildInputs = [
    qt6.qtbase
    qt6Packages.qscintilla
    # QTermWidget 2.x, the Qt 6 line: the serial console.
    lxqt.qtermwidget
    # KF6 (Qt 6): the editor's colouring, Kate's definitions and themes.
    kdePackages.syntax-highlighting
    libvncserver
    # libtesseract: nixtide-ocr, the OCR worker that keeps its model loaded.
    tesseract
    analysisPython
    python3.pkgs.pybind11
  ];

  # The demo guest is made from Debian's kernel and busybox, which a Nix
  # build has not got; the installed demo names the guest it lacks.
  cmakeFlags = [
    (lib.cmakeFeature "Python_EXECUTABLE" (lib.getExe analysisPython))
    (lib.cmakeBool "NIXTIDE_BUILD_TESTS" doCheck)
    (lib.cmakeBool "NIXTIDE_BUILD_BENCHMARKS" false)
    (lib.cmakeBool "NIXTIDE_BUILD_DEMO_GUEST" false)
    (lib.cmakeBool "NIXTIDE_WERROR" false)
  ];

  inherit doCheck;
  checkPhase = ''
    runHook preCheck
    QT_QPA_PLATFORM=offscreen ctest -L unit --output-on-failure
    runHook postCheck
  '';

  # NIXTIDE_PYTHONPATH, not PYTHONPATH: the IDE's own interpreter needs
  # pyflakes and jedi, but the driver processes nixtide starts must see the
  # user's Python environment untouched.
  qtWrapperArgs = [
    "--set NIXTIDE_PYTHONPATH ${analysisPython}/${analysisPython.sitePackages}"
    "--prefix PATH : ${
      lib.makeBinPath [
        netpbm
        tesseract
      ]
    }"
  ];

  meta = {
    description = "IDE for writing and debugging NixOS VM integration tests";
    longDescription = ''
      nixtide opens a runNixOSTest test, builds its interactive driver, boots
      the VMs with a live screen and serial console per machine, and runs the
      testScript under a debugger (breakpoints, stepping, REPL in the test's
      namespace) with a structured log and screenshot review.
    '';
    license = lib.licenses.gpl3Plus;
    mainProgram = "nixtide";
    platforms = lib.platforms.linux;
  };
})
