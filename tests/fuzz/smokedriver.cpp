// The fuzz targets' main() in the normal build (no libFuzzer): replays every
// file of the given corpus directories, then a bounded number of inputs
// mutated from them with a fixed seed, so that ctest's smoke pass is cheap
// and repeatable. A crash is written to a file named on stderr, ready to be
// added to the corpus. The clang build links libFuzzer's main instead
// (tests/fuzz/run-fuzzers.sh).
#include <QByteArray>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QList>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
// Present when the sanitizers are linked in (the --sanitize build): the
// handler below replaces theirs, so without this a Q_ASSERT's abort would say
// which input crashed but not where.
extern "C" void __sanitizer_print_stack_trace() __attribute__((weak));

namespace {

// What the signal handler writes; prepared before each input because a
// handler may only call async-signal-safe functions.
const QByteArray *s_current = nullptr;
char s_crashPath[4096];

void onCrash(int signal)
{
    const int fd = ::open(s_crashPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0 && s_current) {
        [[maybe_unused]] const auto n
            = ::write(fd, s_current->constData(), static_cast<size_t>(s_current->size()));
        ::close(fd);
    }
    static const char message[] = "\nfuzz smoke: the input that crashed is in ";
    [[maybe_unused]] auto n = ::write(2, message, sizeof message - 1);
    n = ::write(2, s_crashPath, std::strlen(s_crashPath));
    n = ::write(2, "\n", 1);
    if (__sanitizer_print_stack_trace)
        __sanitizer_print_stack_trace();
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

QByteArray mutate(const QList<QByteArray> &corpus, std::mt19937 &rng, qsizetype maxLength)
{
    const auto pick = [&rng](qsizetype n) {
        return n <= 0 ? qsizetype(0)
                      : qsizetype(std::uniform_int_distribution<qsizetype>(0, n - 1)(rng));
    };
    QByteArray data = corpus.at(pick(corpus.size()));
    const int steps = 1 + int(pick(8));
    for (int i = 0; i < steps; ++i) {
        switch (pick(7)) {
        case 0: // flip a bit
            if (!data.isEmpty()) {
                const qsizetype at = pick(data.size());
                data[at] = char(data.at(at) ^ (1 << pick(8)));
            }
            break;
        case 1: // set a byte to something interesting
            if (!data.isEmpty()) {
                static const char interesting[] = {0, 1, '\n', '"', '\'', '\\', '$', '{', '}', ':',
                    '\x7f', '\xff', '\x80', '9', '-', ' '};
                data[pick(data.size())] = interesting[pick(sizeof interesting)];
            }
            break;
        case 2: // delete a run
            if (!data.isEmpty()) {
                const qsizetype at = pick(data.size());
                data.remove(at, 1 + pick(std::min<qsizetype>(16, data.size() - at)));
            }
            break;
        case 3: // duplicate a run
            if (!data.isEmpty()) {
                const qsizetype at = pick(data.size());
                data.insert(pick(data.size() + 1), data.mid(at, 1 + pick(32)));
            }
            break;
        case 4: // splice another input in
        {
            const QByteArray &other = corpus.at(pick(corpus.size()));
            if (!other.isEmpty())
                data.insert(pick(data.size() + 1), other.mid(pick(other.size()), 1 + pick(64)));
            break;
        }
        case 5: // truncate
            data.truncate(pick(data.size() + 1));
            break;
        case 6: // a big or odd number where digits were
        {
            static const char *numbers[] = {"0", "-1", "4294967296", "9223372036854775807", "1e308",
                "-1e308", "65535", "2147483648", "99999999999999999999"};
            const qsizetype at = pick(data.size() + 1);
            data.insert(at, numbers[pick(std::size(numbers))]);
            break;
        }
        }
    }
    return data.left(maxLength);
}

void run(const QByteArray &input)
{
    s_current = &input;
    LLVMFuzzerTestOneInput(
        reinterpret_cast<const uint8_t *>(input.constData()), static_cast<size_t>(input.size()));
    s_current = nullptr;
}

} // namespace

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    long runs = 500;
    unsigned seed = 1;
    qsizetype maxLength = 64 * 1024;
    QStringList paths;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg = argv[i];
        if (arg.startsWith("-runs="))
            runs = std::atol(arg.constData() + 6);
        else if (arg.startsWith("-seed="))
            seed = unsigned(std::atol(arg.constData() + 6));
        else if (arg.startsWith("-max_len="))
            maxLength = std::atol(arg.constData() + 9);
        else if (arg.startsWith('-'))
            continue; // libFuzzer options that mean nothing here
        else
            paths.append(QString::fromLocal8Bit(arg));
    }
    std::snprintf(s_crashPath, sizeof s_crashPath, "%s/crash-%s-%ld",
        QDir::tempPath().toLocal8Bit().constData(),
        QFileInfo(QString::fromLocal8Bit(argv[0])).fileName().toLocal8Bit().constData(),
        long(::getpid()));
    for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL})
        std::signal(sig, onCrash);

    QList<QByteArray> corpus;
    for (const QString &path : std::as_const(paths)) {
        QStringList files;
        if (QFileInfo(path).isDir()) {
            QDirIterator it(path, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext())
                files.append(it.next());
            files.sort();
        } else {
            files.append(path);
        }
        for (const QString &file : std::as_const(files)) {
            QFile f(file);
            if (!f.open(QIODevice::ReadOnly)) {
                std::fprintf(stderr, "fuzz smoke: cannot read %s\n", qPrintable(file));
                return 2;
            }
            corpus.append(f.readAll());
        }
    }
    if (corpus.isEmpty()) {
        std::fprintf(stderr, "fuzz smoke: no corpus given (usage: %s [-runs=N] [-seed=S] DIR...)\n",
            argv[0]);
        return 2;
    }
    for (const QByteArray &input : std::as_const(corpus))
        run(input);
    std::mt19937 rng(seed);
    for (long i = 0; i < runs; ++i)
        run(mutate(corpus, rng, maxLength));
    std::printf("fuzz smoke: %lld corpus inputs and %ld mutations (seed %u) ran clean\n",
        static_cast<long long>(corpus.size()), runs, seed);
    return 0;
}
