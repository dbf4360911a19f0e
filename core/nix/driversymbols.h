#pragma once

#include "core/python/embeddedpython.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace nixtide {

// The names a test script may use and the machine methods it may call, as
// the driver in use defines them: read from the source of a built bundle's
// own test_driver package, else from the bundled driver (the newest
// generation). Lint and completion ask active().
struct DriverSymbols
{
    QStringList globals; // start_all, machines, t, debug, machines_qemu, …
    QList<DriverMethod> methods; // Machine's public methods
    QString packageDir; // where they were read

    bool isEmpty() const { return globals.isEmpty() && methods.isEmpty(); }
    QStringList methodNames() const;
    const DriverMethod *method(const QString &name) const;

    // The test_driver package a driver script runs: found through the store
    // paths the script (and the scripts it wraps) name. Empty when none.
    static QString packageDirOf(const QString &driverPath);
    // Reads `packageDir` (a test_driver directory); empty with `error` set
    // when it is not one.
    static DriverSymbols read(const QString &packageDir, QString *error);

    // Uses the embedded interpreter: call from the thread that runs the
    // editor's analysis (the GUI thread), as EmbeddedPython asks.
    static DriverSymbols active();
    static void setActive(const DriverSymbols &symbols);
};

} // namespace nixtide
