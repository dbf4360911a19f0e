#pragma once

#include <QString>

namespace nixtide {

// Where nixtide's data (the agent package, the demo) lives. An installed
// nixtide finds it under <prefix>/share/nixtide (GNUInstallDirs' DATADIR,
// relative to BINDIR); a binary in the build tree uses the source checkout so
// that edits to the agent take effect without reinstalling.
// NIXTIDE_DATA_DIR overrides both (used by packagers and tests).
class DataPaths
{
public:
    static QString dataDir();
    static QString agentDir(); // contains inject/sitecustomize.py
    static QString demoDir(); // resources/demo
    // The OCR worker, nixtide-ocr: installed under <prefix>/libexec/nixtide,
    // in the build tree under app/. NIXTIDE_OCR_WORKER overrides both.
    static QString ocrWorker();
    static QString stateDir(); // $XDG_STATE_HOME/nixtide, run records
    static QString runtimeDir(); // $XDG_RUNTIME_DIR or /tmp, sockets
    // Where --keep-vm-state keeps a test's vm-state-<machine> directories.
    static QString keptVmStateDir(const QString &testName);
};

} // namespace nixtide
