#include "ui/window/helpdialogs.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QHeaderView>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace nixtide {

namespace {

QString plain(QString text)
{
    text.replace(QLatin1String("&&"), QStringLiteral("\x01"));
    text.remove(u'&');
    text.replace(u'\x01', u'&');
    return text;
}

void collect(const QMenu *menu, const QString &path, QList<QPair<QString, QString>> *rows)
{
    for (QAction *action : menu->actions()) {
        if (action->isSeparator())
            continue;
        const QString name = path + QStringLiteral(" > ") + plain(action->text());
        if (action->menu()) {
            collect(action->menu(), name, rows);
            continue;
        }
        QStringList keys;
        for (const QKeySequence &key : action->shortcuts())
            keys << key.toString(QKeySequence::NativeText);
        if (!keys.isEmpty())
            rows->append({name, keys.join(QStringLiteral(", "))});
    }
}

QList<QPair<QString, QString>> shortcutRows(QWidget *window)
{
    QList<QPair<QString, QString>> rows;
    auto *main = qobject_cast<QMainWindow *>(window);
    if (!main)
        return rows;
    for (QAction *top : main->menuBar()->actions()) {
        if (top->menu())
            collect(top->menu(), plain(top->text()), &rows);
    }
    return rows;
}

QDialog *makeDialog(QWidget *parent, const QString &title, QWidget *body)
{
    auto *dialog = new QDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(body);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    layout->addWidget(buttons);
    dialog->resize(640, 560);
    return dialog;
}

} // namespace

void showGuide(QWidget *parent)
{
    auto *browser = new QTextBrowser;
    browser->setObjectName(QStringLiteral("GuideBrowser"));
    browser->setOpenExternalLinks(true);
    QFile guide(QStringLiteral(":/nixtide/docs/guide.md"));
    browser->setMarkdown(guide.open(QIODevice::ReadOnly)
            ? QString::fromUtf8(guide.readAll())
            : QObject::tr("The guide is missing from this build (%1).").arg(guide.errorString()));
    makeDialog(parent, QObject::tr("nixtide Guide"), browser)->show();
}

QString shortcutList(QWidget *window)
{
    QStringList lines;
    for (const auto &[name, keys] : shortcutRows(window))
        lines << name + u'\t' + keys;
    return lines.join(u'\n');
}

void showShortcuts(QWidget *window)
{
    auto *tree = new QTreeWidget;
    tree->setObjectName(QStringLiteral("ShortcutTree"));
    tree->setHeaderLabels({QObject::tr("Action"), QObject::tr("Shortcut")});
    tree->setRootIsDecorated(false);
    for (const auto &[name, keys] : shortcutRows(window))
        new QTreeWidgetItem(tree, {name, keys});
    tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    makeDialog(window, QObject::tr("Keyboard Shortcuts"), tree)->show();
}

} // namespace nixtide
