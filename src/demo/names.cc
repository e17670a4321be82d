#include "demo/names.h"

#include <cstdio>
#include <vector>

namespace ejournal::demo {
namespace {

const std::vector<std::string> kFamilies = {
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
    "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
    "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
    "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
    "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов",
    "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров",
    "Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
    "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов",
    "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Чернышёв", "Быков", "Маслов",
    "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов", "Пономарёв", "Голубев", "Кудрявцев",
    "Прохоров", "Наумов", "Потапов", "Журавлёв", "Овчинников", "Трофимов", "Леонов", "Соболев", "Ермаков",
    "Колесников", "Гончаров", "Емельянов", "Никифоров", "Грачёв", "Котов", "Гришин", "Ефремов", "Архипов",
    "Громов", "Кириллов", "Малышев", "Панов", "Моисеев", "Румянцев", "Акимов", "Кондратьев", "Бирюков", "Горбунов",
    "Анисимов", "Ерёмин", "Тихомиров", "Галкин", "Лукьянов", "Михеев", "Скворцов", "Юдин", "Белоусов", "Нестеров",
    "Симонов", "Прокофьев", "Харитонов", "Князев", "Цветков", "Левин", "Митрофанов", "Воронов", "Аксёнов",
    "Софронов", "Мальцев", "Логинов", "Горшков", "Савин", "Краснов", "Майоров", "Демидов", "Елисеев", "Рыбаков",
    "Сафонов", "Плотников", "Демин", "Хохлов", "Жданов", "Островский", "Лесной", "Добровольский", "Вишневский"};

const std::vector<std::string> kMale = {
    "Александр", "Михаил", "Максим", "Артём", "Лев", "Марк", "Иван", "Матвей", "Дмитрий", "Даниил", "Тимофей",
    "Кирилл", "Роман", "Егор", "Никита", "Андрей", "Илья", "Алексей", "Фёдор", "Степан", "Владимир", "Сергей",
    "Павел", "Николай", "Григорий", "Ярослав", "Глеб", "Арсений", "Константин", "Денис", "Олег", "Виктор", "Юрий",
    "Пётр", "Борис", "Евгений", "Вадим", "Антон"};

const std::vector<std::string> kFemale = {
    "Софья", "Мария", "Анна", "Алиса", "Ева", "Виктория", "Полина", "Варвара", "Александра", "Василиса",
    "Елизавета", "Анастасия", "Дарья", "Ксения", "Вероника", "Милана", "Арина", "Екатерина", "Ольга", "Татьяна",
    "Наталья", "Елена", "Ирина", "Светлана", "Юлия", "Марина", "Людмила", "Галина", "Надежда", "Валентина", "Вера",
    "Любовь", "Кира", "Ульяна", "Таисия", "Злата"};

const std::vector<std::string> kStreets = {
    "ул. Ленина", "ул. Гагарина", "ул. Мира", "пр. Победы", "ул. Садовая", "ул. Школьная", "ул. Лесная",
    "ул. Молодёжная", "ул. Пушкина", "ул. Советская", "ул. Строителей", "наб. Речная", "ул. Вокзальная"};

template <typename T>
const T& pick(Rng& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}


}  // namespace

std::string patronymic(const std::string& father, bool female) {
  // Иван → Иванович/Ивановна; Дмитрий → Дмитриевич; Юрий → Юрьевич; Никита → Никитич/Никитична;
  // Лев → Львович; Алексей → Алексеевич; Николай → Николаевич. (Sizes below are in bytes: UTF-8.)
  if (father == "Лев") return female ? "Львовна" : "Львович";
  if (father == "Дмитрий") return female ? "Дмитриевна" : "Дмитриевич";
  if (father == "Пётр") return female ? "Петровна" : "Петрович";
  if (father == "Павел") return female ? "Павловна" : "Павлович";
  if (father == "Илья") return female ? "Ильинична" : "Ильич";
  if (father == "Михаил") return female ? "Михайловна" : "Михайлович";
  const std::string ij = "ий", a = "а";
  if (father.size() > ij.size() && father.compare(father.size() - ij.size(), ij.size(), ij) == 0)
    return father.substr(0, father.size() - ij.size()) + (female ? "ьевна" : "ьевич");
  if (father.size() > a.size() && father.compare(father.size() - a.size(), a.size(), a) == 0)
    return father.substr(0, father.size() - a.size()) + (female ? "ична" : "ич");
  for (const std::string ending : {"ей", "ай"}) {
    if (father.size() > ending.size() && father.compare(father.size() - ending.size(), ending.size(), ending) == 0)
      return father.substr(0, father.size() - ending.size() + 2) + (female ? "евна" : "евич");  // keeps е/а
  }
  return father + (female ? "овна" : "ович");
}

std::string family_name(Rng& rng) { return pick(rng, kFamilies); }

std::string first_name(Rng& rng, bool female) { return pick(rng, female ? kFemale : kMale); }

std::string feminine(const std::string& family) {
  const std::string skiy = "ский", oy = "ой";
  if (family.size() > skiy.size() && family.compare(family.size() - skiy.size(), skiy.size(), skiy) == 0)
    return family.substr(0, family.size() - skiy.size()) + "ская";
  if (family.size() > oy.size() && family.compare(family.size() - oy.size(), oy.size(), oy) == 0)
    return family.substr(0, family.size() - oy.size()) + "ая";
  return family + "а";
}

domain::PersonalData make_person(Rng& rng, const std::string& family, bool female, int birth_year) {
  domain::PersonalData p;
  p.last_name = female ? feminine(family) : family;
  p.first_name = pick(rng, female ? kFemale : kMale);
  p.patronymic = patronymic(pick(rng, kMale), female);
  char iso[16];
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", birth_year, static_cast<int>(1 + rng() % 12),
                static_cast<int>(1 + rng() % 28));
  domain::parse_day(iso, &p.birth_day);
  p.address = pick(rng, kStreets) + ", д. " + std::to_string(1 + rng() % 120) + ", кв. " + std::to_string(1 + rng() % 300);
  char phone[32];
  std::snprintf(phone, sizeof phone, "+7 9%02d %03d-%02d-%02d", static_cast<int>(rng() % 100),
                static_cast<int>(rng() % 1000), static_cast<int>(rng() % 100), static_cast<int>(rng() % 100));
  p.phone = phone;
  return p;
}

std::string staff_name(Rng& rng, bool female) {
  const std::string family = family_name(rng);
  return (female ? feminine(family) : family) + " " + pick(rng, female ? kFemale : kMale) + " " +
         patronymic(pick(rng, kMale), female);
}

}  // namespace ejournal::demo
