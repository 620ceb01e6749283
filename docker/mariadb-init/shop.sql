-- Demo data for docker/app/shop.php (run once by the mariadb image).
CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, price DECIMAL(8, 2) NOT NULL);
INSERT INTO products VALUES (1, 'teapot', 24.90), (2, 'kettle', 39.00), (3, 'mug', 7.50);
CREATE TABLE secrets (id INT PRIMARY KEY, secret VARCHAR(64) NOT NULL);
INSERT INTO secrets VALUES (1, 'the admin password');
