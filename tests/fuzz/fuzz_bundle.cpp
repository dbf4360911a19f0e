// A driver bundle's wrapper script (both generations) and the JSON
// configuration it names: input is the wrapper, NUL, the configuration.
// Both are written to the working directory, so a wrapper can name the
// configuration as `--config config.json`.
#include "core/bundle/driverbundle.h"
#include "core/bundle/shellwords.h"
#include "fuzzinput.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <memory>

namespace {

std::unique_ptr<QTemporaryDir> s_dir;

void writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(content);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    s_dir = std::make_unique<QTemporaryDir>();
    QDir(s_dir->path()).mkpath(QStringLiteral("bundle/bin"));
    writeFile(s_dir->path() + QStringLiteral("/bundle/test-script"), "start_all()\n");
    QDir::setCurrent(s_dir->path());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QList<QByteArray> input = nixtide::fuzz::parts(data, size, 2);
    for (const QString &line : QString::fromUtf8(input.at(0)).split(QLatin1Char('\n'))) {
        QStringList words;
        nixtide::splitShellWords(line, &words);
    }
    writeFile(QStringLiteral("bundle/bin/nixos-test-driver"), input.at(0));
    writeFile(QStringLiteral("config.json"), input.at(1));
    QString error;
    const std::optional<nixtide::DriverBundle> bundle
        = nixtide::DriverBundle::read(QStringLiteral("bundle"), &error);
    if (bundle) {
        (void)bundle->machineNames();
        (void)bundle->readTestScript(&error);
    }
    return 0;
}
