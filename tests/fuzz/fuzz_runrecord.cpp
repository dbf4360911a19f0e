// A run record as `nixtide review` and the history read it, possibly cut
// short by a crash: input is result.json, NUL, log.jsonl.
#include "core/review/runreader.h"
#include "fuzzinput.h"

#include <QDir>
#include <QFile>
#include <QImage>
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
    const QString record = s_dir->path() + QStringLiteral("/record");
    QDir(record).mkpath(QStringLiteral("screenshots"));
    // Screenshots the log may name: the reader pairs them with its steps.
    QImage image(4, 4, QImage::Format_RGB32);
    image.fill(Qt::black);
    image.save(record + QStringLiteral("/screenshots/server-boot.png"));
    image.save(record + QStringLiteral("/screenshots/client-failure.png"));
    QDir::setCurrent(s_dir->path());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QList<QByteArray> input = nixtide::fuzz::parts(data, size, 2);
    writeFile(QStringLiteral("record/result.json"), input.at(0));
    writeFile(QStringLiteral("record/log.jsonl"), input.at(1));
    QString error;
    (void)nixtide::RunReader::readInfo(QStringLiteral("record"), &error);
    QStringList warnings;
    (void)nixtide::RunReader::screenshots(QStringLiteral("record"), &warnings);
    return 0;
}
