#include "core/python/embeddedpython.h"

#include <QFile>

#include <memory>
#include <pybind11/embed.h>
#include <pybind11/stl.h>

namespace py = pybind11;

namespace nixtide {

namespace {

py::str toPy(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    return py::str(utf8.constData(), static_cast<size_t>(utf8.size()));
}

// The interpreter lives until process exit: CPython cannot be re-initialised
// reliably once extension modules (pyflakes' deps) were loaded.
struct Interpreter
{
    std::unique_ptr<py::scoped_interpreter> guard;
    py::object module;
};

Interpreter &interpreter()
{
    static Interpreter instance;
    if (!instance.guard) {
        instance.guard = std::make_unique<py::scoped_interpreter>();
        // Packagers point NIXTIDE_PYTHONPATH at pyflakes and jedi rather than
        // PYTHONPATH, which would leak into the driver processes we start.
        const QStringList extra = qEnvironmentVariable("NIXTIDE_PYTHONPATH")
                                      .split(QLatin1Char(':'), Qt::SkipEmptyParts);
        py::list sysPath = py::module_::import("sys").attr("path");
        for (qsizetype i = extra.size() - 1; i >= 0; --i)
            sysPath.insert(0, toPy(extra[i]));
        QFile file(QStringLiteral(":/nixtide/nixtide_analysis.py"));
        if (!file.open(QIODevice::ReadOnly))
            throw std::runtime_error("nixtide_analysis.py missing from resources");
        const QByteArray code = file.readAll();
        py::module_ types = py::module_::import("types");
        instance.module = types.attr("ModuleType")("nixtide_analysis");
        py::exec(py::str(code.constData(), static_cast<size_t>(code.size())),
            instance.module.attr("__dict__"));
    }
    return instance;
}

QString fromPy(const py::handle &value)
{
    return QString::fromStdString(py::str(value).cast<std::string>());
}

} // namespace

EmbeddedPython::EmbeddedPython()
{
    interpreter();
}

EmbeddedPython::~EmbeddedPython() = default;

QList<ScriptStatement> EmbeddedPython::statements(const QString &source, QString *error) const
{
    QList<ScriptStatement> result;
    try {
        py::list rows = interpreter().module.attr("statements")(toPy(source));
        for (const py::handle row : rows) {
            auto tuple = row.cast<py::tuple>();
            result.append(
                {tuple[0].cast<int>(), tuple[1].cast<int>(), fromPy(tuple[2]), fromPy(tuple[3])});
        }
    } catch (const py::error_already_set &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
    }
    return result;
}

bool EmbeddedPython::driverSymbols(const QString &packageDir, QStringList *globals,
    QList<DriverMethod> *methods, QString *error) const
{
    try {
        auto result
            = interpreter().module.attr("driver_symbols")(toPy(packageDir)).cast<py::tuple>();
        for (const py::handle name : result[0].cast<py::list>())
            globals->append(fromPy(name));
        for (const py::handle row : result[1].cast<py::list>()) {
            auto tuple = row.cast<py::tuple>();
            methods->append({fromPy(tuple[0]), fromPy(tuple[1]), fromPy(tuple[2])});
        }
        return true;
    } catch (const py::error_already_set &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return false;
    }
}

std::optional<ScriptDiagnostic> EmbeddedPython::syntaxError(const QString &source) const
{
    py::object err = interpreter().module.attr("syntax_error")(toPy(source));
    if (err.is_none())
        return std::nullopt;
    auto tuple = err.cast<py::tuple>();
    return ScriptDiagnostic {tuple[0].cast<int>(), tuple[1].cast<int>(), fromPy(tuple[2])};
}

QList<ScriptDiagnostic> EmbeddedPython::lint(
    const QString &source, const QStringList &knownNames) const
{
    QList<ScriptDiagnostic> result;
    py::list names;
    for (const QString &name : knownNames)
        names.append(toPy(name));
    try {
        py::list rows = interpreter().module.attr("lint")(toPy(source), names);
        for (const py::handle row : rows) {
            auto tuple = row.cast<py::tuple>();
            result.append({tuple[0].cast<int>(), tuple[1].cast<int>(), fromPy(tuple[2])});
        }
    } catch (const py::error_already_set &e) {
        // A script that does not parse has no lint; syntaxError() reports it.
        if (!e.matches(PyExc_SyntaxError))
            throw;
    }
    return result;
}

QString EmbeddedPython::pythonVersion() const
{
    interpreter();
    return fromPy(py::module_::import("sys").attr("version"));
}

} // namespace nixtide
