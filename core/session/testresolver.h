#pragma once

#include "core/session/launchplan.h"

#include <QObject>

#include <memory>

namespace nixtide {

class NixBuild;

// Turns what the user named (a .nix file, a flake reference, a built bundle
// directory) into a LaunchPlan: builds the driver with NixBuild, reads the
// bundle, locates the testScript in the source and maps built script lines
// to .nix lines. Asynchronous; the Nix evaluation that locates the script
// runs on a worker thread.
class TestResolver : public QObject
{
    Q_OBJECT

public:
    enum class Failure { BadInput, Build, Bundle };
    Q_ENUM(Failure)

    explicit TestResolver(QObject *parent = nullptr);
    ~TestResolver() override;

    // attribute: "driver" (runs to the end) or "driverInteractive".
    void start(const QString &test, const QString &attribute = QStringLiteral("driver"));
    void cancel();
    NixBuild *build() const { return m_build.get(); }

Q_SIGNALS:
    void progressMessage(const QString &message);
    void resolved(const nixtide::LaunchPlan &plan);
    // A note that does not stop the run (e.g. no line map: breakpoints
    // then use built script lines).
    void warning(const QString &message);
    void failed(nixtide::TestResolver::Failure failure, const QString &message);

private:
    void onBundle(const QString &dir, const QString &sourceRefText);
    void fail(Failure failure, const QString &message);

    std::unique_ptr<NixBuild> m_build;
    QString m_testArgument;
    bool m_done = false;
};

} // namespace nixtide
